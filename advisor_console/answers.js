/* Canned answers: the advisor searches the council's answers (GET /api/advisor/answers)
 * and inserts one in the message box to edit before sending. */
import { missingEndpoint } from '/shared/api.js';
import { clear, h as el } from '/shared/dom.js';

const $ = (id) => document.getElementById(id);

/**
 * Wire the search form. `api(method, path)` is the console's API call, `markdown(text)` its
 * renderer, and `onInsert(answer)` puts an answer in the open chat's message box.
 */
export function setUpAnswerSearch({ api, markdown, onInsert }) {
  let answersTimer = 0;
  function onInput() {
    clearTimeout(answersTimer);
    answersTimer = setTimeout(search, 300);
  }

  async function search(event) {
    if (event) event.preventDefault();
    clearTimeout(answersTimer);
    const q = $('answers-q').value.trim();
    const list = $('answers-list');
    const status = $('answers-status');
    if (q.length < 2) {
      clear(list);
      status.textContent = q ? 'Type at least 2 letters.' : '';
      return;
    }
    const asked = q;
    status.textContent = 'Searching…';
    const result = await api('GET', `/api/advisor/answers?q=${encodeURIComponent(q)}`);
    if ($('answers-q').value.trim() !== asked) return; // a newer search is under way
    clear(list);
    if (missingEndpoint(result)) {
      status.textContent = 'Canned answers are not available yet.';
      return;
    }
    if (!result.ok || !result.data) {
      status.textContent = (result.error && result.error.message) || 'The answers could not be searched.';
      return;
    }
    const answers = result.data.answers || [];
    status.textContent = answers.length ? `${answers.length} ${answers.length === 1 ? 'answer' : 'answers'} found.` : 'No answers found. Try other words.';
    for (const answer of answers) {
      const preview = String(answer.answer || '')
        .replace(/\[([^\]\n]+)\]\((?:[^()\s]|\([^()\s]*\))*\)/g, '$1')
        .replace(/\*\*/g, '').replace(/^\s*[-*]\s+/gm, '').replace(/\s+/g, ' ').trim();
      const details = el('details', { class: 'answer-full' }, el('summary', { text: 'Show full answer' }),
        el('div', { class: 'ev-body' }, markdown(answer.answer)));
      list.append(el('li', { class: 'answer' },
        el('p', { class: 'answer-title', text: answer.title }),
        el('p', { class: 'answer-preview', text: preview.length > 160 ? `${preview.slice(0, 157)}…` : preview }),
        details,
        el('button', { type: 'button', class: 'btn btn-small', onclick: () => onInsert(answer) },
          'Insert', el('span', { class: 'visually-hidden', text: `: ${answer.title}` }))));
    }
  }

  $('answers-form').addEventListener('submit', search);
  $('answers-q').addEventListener('input', onInput);
}
