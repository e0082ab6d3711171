/* The transcript a resident downloads, cleaned of Markdown; their own lines left exactly as typed. */

// The relay's transcript keeps messages as written, in the Markdown subset the panel
// shows formatted; in a text file "**" and "[title](url)" are noise, so they go (the
// resident's own words, "You: ...", are left exactly as typed).
export const ENTRY = /^\d{1,2}:\d{2} {2}/; // "14:05  Assistant: ..." or "14:05  -- status"

export function plainMarkdown(line) {
  return line
    .replace(/\*\*(.+?)\*\*/g, "$1")
    .replace(/\[([^\]\n]+)\]\(([^()\s]+)\)/g, (all, title, url) => {
      const address = url.replace(/^(mailto|tel):/i, "");
      const squash = (t) => t.replace(/[\s-]/g, "").toLowerCase();
      return squash(title).includes(squash(address)) ? title : title + " (" + address + ")";
    })
    .replace(/^(\s*)[*•]\s+/, "$1- ");
}

export function plainTranscript(text) {
  let resident = false;
  return text.replace(/\r\n?/g, "\n").split("\n").map((line) => {
    if (ENTRY.test(line)) resident = /^\S+ {2}You: /.test(line);
    return resident ? line : plainMarkdown(line);
  }).join("\n");
}
