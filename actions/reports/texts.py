"""What the bot says while taking a report (wording in one place)."""

UNAVAILABLE_AT_START = (
    "Sorry, our reporting system isn't answering just now, so I can't take the report in this chat. "
    "Please try again in a few minutes, or talk to an advisor, who can take it for you."
)
NOT_SENT = (
    "Sorry, your report has **not** been sent: our reporting system isn't answering just now. "
    "I've kept everything you told me, so you won't need to give it again. You can try again, "
    "or an advisor can take it from here."
)
REJECTED = (
    "Sorry, the reporting system could not accept this report. I've kept everything you told me; "
    "an advisor can take it from here."
)
MAYBE_SENT = (
    "Sorry, our reporting system was too slow to answer, so I can't tell whether your report arrived. "
    "I've kept everything you told me. Try again and I'll check first that it isn't already there, or "
    "an advisor can check for you."
)
STOPPED = (
    "I've paused your report. Nothing has been sent yet. If you come back to it, I'll remember what "
    "you've told me so far."
)
CANCELLED = "OK, I've cancelled that report. Nothing has been sent."
ALREADY_REPORTED = (
    "This may already be reported near {postcode}: {references}. You can still add your report, "
    "and it helps us to know how many people are affected."
)
SUMMARY_INTRO = "Here is your report. Please check it:"
SUMMARY_OUTRO = "Shall I send it?"
CHANGE_WHICH = 'Which answer would you like to change? Press it, or type the right answer (for example "the address is 16 Station Road").'
CHANGED = "Thanks, I've changed {what} to {value}."
LEFT = "OK, I've stopped that report. Nothing has been sent. What would you like to ask?"
UNCLEAR_CONFIRMATION = 'Please choose "Send report", "Change an answer" or "Cancel".'
SUBMITTED = (
    "Thank you. Your report has been sent. Your reference is **{reference}**. "
    'Keep it to check progress: just ask me "what\'s happening with {reference}".'
)
# Open311 answers "not found" both for a reference it does not know and for a message left
# for the contact centre (private: the chat reads cases without a staff key and must not be
# able to tell the two apart), so the answer has to be true for both.
TRACK_NOT_FOUND = (
    "I can't find a report with the reference {reference}. If it's the reference for a message you "
    "left for our contact centre, I can't look those up here because they are kept private: an advisor "
    "replies to you directly, using the contact details you gave. If it's for a report, please check it "
    "against the email or text we sent you. References look like NB-2026-000123."
)
TRACK_UNAVAILABLE = (
    "Sorry, I can't check reports just now because our reporting system isn't answering. Please try "
    "again later, or an advisor can look it up for you."
)
STOP_WORDS = {"stop", "cancel", "quit", "never mind", "nevermind", "forget it", "exit", "i want to stop"}

ASK_POSTCODE = 'What is the postcode where the problem is? (For example NB4 2QT.) You can say "stop" at any time.'
ASK_LOCATION = "Which street is it on, or what is it near (a house number, shop, bus stop or other landmark)?"
ASK_DESCRIPTION = "In a sentence or two, what is the problem?"
RECEIVED_NO_REFERENCE = (
    "Thank you. Your report has been received. The council's system will give it a reference "
    "shortly; an advisor can tell you what it is."
)
