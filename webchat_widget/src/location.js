/*
 * "Use my location" (contracts/README.md, "Shared location"). A bot button whose payload is
 * LOCATION_PAYLOAD becomes this control: the browser is asked for the position only after
 * the resident presses it, and the message it sends carries
 * location: {lat, long, accuracy}. Refused, unavailable or slow: the resident is told in
 * words and can type a street instead; nothing is sent.
 */
import { h } from "../../web_shared/dom.js";

export const LOCATION_PAYLOAD = "use my location";
export const CONSENT =
  "Optional. If you press it, your browser asks you to share where this device is, once. " +
  "We add that position (and how precise it is) to this report only. You can type a street instead.";
export const FINDING = "Finding your location…";
const PROBLEMS = {
  1: "You chose not to share your location, which is fine. Please type the street or a landmark instead.",
  2: "Your device couldn't find where you are. Please type the street or a landmark instead.",
  3: "Finding your location took too long. Try again, or type the street or a landmark instead.",
  unsupported: "This browser can't share a location. Please type the street or a landmark instead.",
};
const TIMEOUT_MS = 15000;

/** Whether a bot button is the "Use my location" button. */
export function isLocationButton(button) {
  return !!button && typeof button.payload === "string" && button.payload.trim().toLowerCase() === LOCATION_PAYLOAD;
}

/** What to tell the resident for a GeolocationPositionError code (or "unsupported"). */
export function problemText(code) {
  return PROBLEMS[code] || PROBLEMS[2];
}

/** The contract's location object from a GeolocationPosition, or null if it is not usable. */
export function toLocation(position) {
  const c = position && position.coords;
  if (!c) return null;
  const { latitude: lat, longitude: long, accuracy } = c;
  const ok = (n, low, high) => typeof n === "number" && isFinite(n) && n >= low && n <= high;
  if (!ok(lat, -90, 90) || !ok(long, -180, 180) || !ok(accuracy, 0, 1000000)) return null;
  const round = (n, places) => Math.round(n * 10 ** places) / 10 ** places;
  return { lat: round(lat, 6), long: round(long, 6), accuracy: round(accuracy, 1) };
}

/** One position from the browser: resolves with a location, rejects with a problem code. */
export function locate(geolocation, timeout = TIMEOUT_MS) {
  return new Promise((resolve, reject) => {
    if (!geolocation || typeof geolocation.getCurrentPosition !== "function") {
      reject("unsupported");
      return;
    }
    geolocation.getCurrentPosition(
      (position) => {
        const found = toLocation(position);
        if (found) resolve(found);
        else reject(2);
      },
      (error) => reject((error && error.code) || 2),
      { enableHighAccuracy: true, timeout, maximumAge: 60000 },
    );
  });
}

/**
 * The control shown in place of the bot's button: the button, the consent text it is
 * described by, and a line for what went wrong.
 *
 * @param {{title: string}} button the bot's button
 * @param {{id: string, send: (location: object) => void, note: (text: string, ms?: number) => void,
 *          geolocation?: object}} hooks send the message; announce in the status region
 */
export function locationControl(button, hooks) {
  const consentId = hooks.id + "-consent";
  const problem = h("p", { class: "fd-location-problem", hidden: true });
  const press = h(
    "button",
    { type: "button", class: "fd-chip fd-location", "aria-describedby": consentId },
    button.title,
  );
  let busy = false;
  press.addEventListener("click", () => {
    if (busy) return;
    busy = true;
    problem.hidden = true;
    // aria-disabled, not disabled: keyboard focus stays on the button while the browser asks.
    press.setAttribute("aria-disabled", "true");
    press.textContent = FINDING;
    hooks.note(FINDING, 0);
    const geolocation = hooks.geolocation !== undefined ? hooks.geolocation : navigator.geolocation;
    locate(window.isSecureContext === false ? null : geolocation).then(
      (location) => {
        hooks.note("", 1);
        hooks.send(location);
      },
      (code) => {
        busy = false;
        press.removeAttribute("aria-disabled");
        press.textContent = button.title;
        problem.textContent = problemText(code);
        problem.hidden = false;
        hooks.note(problemText(code), 20000);
      },
    );
  });
  const consent = h("p", { class: "fd-location-consent", id: consentId }, CONSENT);
  return h("div", { class: "fd-location-control" }, press, consent, problem);
}
