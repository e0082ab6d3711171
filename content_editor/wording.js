/* What the editor calls things, in plain UK English, in one place. */

// What the bot does for routes that are not articles (knowledge_base/routes.py).
export const ROUTE_TEXT = {
  out_of_scope: 'The bot would say it can’t help with that (out of scope)',
  handoff: 'The bot would offer to pass them to an advisor',
  complaint: 'The bot would give the answer about making a complaint',
  track_request: 'The bot would help them check on a problem they reported',
  'urgent:safeguarding': 'The bot would treat this as urgent: a person at risk (safeguarding contacts)',
  'urgent:emergency': 'The bot would treat this as a council emergency (emergency numbers)',
  'urgent:crisis': 'The bot would treat this as urgent: someone in crisis (999, Samaritans, NHS 111)',
  'urgent:domestic_abuse': 'The bot would treat this as urgent: domestic abuse (999, the national helpline)',
  'urgent:danger': 'The bot would treat this as urgent: danger now (999, 101)',
  'urgent:gas': 'The bot would treat this as urgent: gas or carbon monoxide (0800 111 999)',
  'urgent:power': 'The bot would treat this as urgent: a power cut or damaged power line (105)',
  'smalltalk:greet': 'The bot would say hello',
  'smalltalk:goodbye': 'The bot would say goodbye',
  'smalltalk:thanks': 'The bot would say “you’re welcome”',
  'smalltalk:bot_challenge': 'The bot would explain it is a computer, not a person',
};

// Short names for the other answers the bot considered.
export const ROUTE_SHORT = {
  out_of_scope: 'Can’t help (out of scope)',
  handoff: 'Pass them to an advisor',
  complaint: 'Making a complaint',
  track_request: 'Check on a report',
  'urgent:safeguarding': 'Urgent: a person at risk',
  'urgent:emergency': 'Council emergency',
  'urgent:crisis': 'Urgent: someone in crisis',
  'urgent:domestic_abuse': 'Urgent: domestic abuse',
  'urgent:danger': 'Urgent: danger now',
  'urgent:gas': 'Urgent: gas or carbon monoxide',
  'urgent:power': 'Urgent: power cut or line down',
  'smalltalk:greet': 'Saying hello',
  'smalltalk:goodbye': 'Saying goodbye',
  'smalltalk:thanks': 'Saying thank you',
  'smalltalk:bot_challenge': 'Asking if it is a person',
};

export const FIELD_WORDS = {
  title: 'the title',
  owner: 'the team',
  answer: 'the answer',
  links: 'the links',
  questions: 'the questions',
  offer_advisor: 'the ‘Talk to an advisor’ button',
  related_requests: 'the report buttons',
};

export const CHECK_KINDS = [
  ['schema', 'Problems that stop publishing',
    'A file is not in the right form. While any file has a problem like this, no change can be published and the bot keeps using the last good version. Fix these first.'],
  ['duplicate', 'Questions that are nearly the same',
    'The same or nearly the same question is under two articles, so the bot cannot tell which answer to give. Keep each question in one article only.'],
  ['link', 'Links',
    'Links residents could not follow, or whose text does not say where they go. Screen readers list links by their text, so “click here” does not help.'],
  ['review', 'Due for review',
    'Articles nobody has checked for 12 months. Check the answer is still right, then publish: publishing marks the article as reviewed today.'],
  ['readability', 'Hard to read',
    'Answers that are hard to read. Use shorter sentences and everyday words. Plain English scores 60 or more.'],
];

export const STEPS = [
  ['building', 'Building'],
  ['training', 'Training'],
  ['checking', 'Checking quality'],
  ['switching', 'Switching the bot over'],
  ['done', 'Done'],
];

export const FINAL_STATES = new Set(['done', 'rejected', 'failed']);

export const DUE_SOON_DAYS = 30;
