/* What the console calls things, in plain UK English (the urgent reasons stay in console.js,
 * where tests/live_handoff/unit/test_console_wording.py checks them against the bot). */

export const PRIORITIES = { urgent: 'Urgent', high: 'High', normal: 'Normal' };

export const PRESENCE = { available: 'Available', busy: 'Busy', away: 'Away' };

export const EXTENDED_STATUS = {
  OPEN: 'Open',
  INVESTIGATING: 'Investigating',
  IN_PROGRESS: 'In progress',
  ACTION_SCHEDULED: 'Action scheduled',
  FIXED: 'Fixed',
  DUPLICATE: 'Duplicate',
  NOT_COUNCILS_RESPONSIBILITY: 'Not the council’s responsibility',
  NO_FURTHER_ACTION: 'No further action',
  INTERNAL_REFERRAL: 'Internal referral',
  CLOSED: 'Closed',
};

export const SPEAKERS = { resident: 'Resident', bot: 'Bot', advisor: 'Advisor', system: 'Council (automatic)' };

export const ERROR_TEXT = {
  already_claimed: 'Another advisor took this chat.',
  unknown_conversation: 'That chat no longer exists or has expired.',
  closed: 'This chat has ended.',
  unavailable: 'The server cannot save anything at the moment. Try again shortly.',
  internal: 'Something went wrong on the server. Try again.',
};
