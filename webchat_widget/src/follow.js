/*
 * Where the transcript rests when the bot's turn arrives (main.js follows it with this).
 * Pure, so node's test runner checks it (tests/js/follow.test.mjs).
 */

/**
 * The log's scrollTop for the latest turn.
 *
 * A turn that fits is shown to its end; a turn taller than the log is shown from its first
 * line, because residents read an answer from its start. But when the newest message has
 * buttons (a question: "Use my location", Yes/No), the buttons come into view even if the
 * turn's first lines then scroll off the top: they are what the resident acts on, and the
 * question sits just above them. Buttons taller than the log are shown from their top.
 *
 * All positions are in the log's content pixels (0 is the top of its content).
 *
 * @param {object} o
 * @param {number} o.end the largest scrollTop (scrollHeight - clientHeight)
 * @param {number} o.view the log's visible height (clientHeight)
 * @param {number|null} [o.turnTop] the top of the turn's first message, or null to show the end
 * @param {number|null} [o.actionsTop] the top of the newest message's buttons, if any
 * @param {number|null} [o.actionsBottom] their bottom
 * @param {number} [o.margin] room kept around what is shown
 * @returns {number}
 */
export function followTarget({ end, view, turnTop = null, actionsTop = null, actionsBottom = null, margin = 8 }) {
  const clamp = (n) => Math.max(0, Math.min(end, n));
  let target = turnTop === null ? end : clamp(turnTop - margin);
  if (actionsBottom !== null && actionsBottom + margin > target + view) {
    target = clamp(actionsBottom + margin - view);
    if (actionsTop !== null) target = Math.min(target, clamp(actionsTop - margin));
  }
  return target;
}
