/* The council colour the widget is painted in: checked for contrast, mixed for shades. */

export const DEFAULT_PRIMARY = "#1d3c78";

/** The council's colour if it is a valid opaque colour with at least 4.5:1 against white. */
export function primaryColour(value) {
  if (!value || !(window.CSS && CSS.supports("color", value))) return DEFAULT_PRIMARY;
  const ctx = document.createElement("canvas").getContext("2d");
  if (!ctx) return DEFAULT_PRIMARY;
  ctx.fillStyle = "#000";
  ctx.fillStyle = value;
  const hex = ctx.fillStyle;
  if (!/^#[0-9a-f]{6}$/i.test(hex)) return DEFAULT_PRIMARY; // transparent colours come back as rgba()
  if (contrast(hex, "#ffffff") < 4.5) {
    console.warn("Front Desk: data-primary " + value + " has too little contrast with white text; using " + DEFAULT_PRIMARY);
    return DEFAULT_PRIMARY;
  }
  return hex;
}

export const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

export function luminance(hex) {
  const [r, g, b] = rgb(hex).map((c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

export const mix = (hex, toward, amount) =>
  "#" + rgb(hex).map((c, i) => Math.round(c + (toward[i] - c) * amount).toString(16).padStart(2, "0")).join("");
