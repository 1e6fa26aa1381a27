//! Corrections: a client who edits a message that became a ticket or a comment (within
//! [`EDIT_WINDOW_HOURS`]) corrects it. The ticket gets a client comment «✏️ Исправлено: …» and a
//! journal entry, the assignee hears of it as of any client comment, and what was first written
//! stays as it was.
//!
//! ```text
//! user  Не печатает принтер на 2 этаже                 (message 31)
//! bot   ✔️ Ваше обращение зарегистрировано с номером #42. …
//! user  ✎ (edits message 31) Не печатает принтер на 3 этаже
//! bot   ✏️ Исправление добавлено к обращению #42.
//! ```
//!
//! Which ticket a message became: every commit that makes a ticket or a comment of the user's
//! messages remembers their ids with it ([`Effect::RememberMessages`], the same mapping as the
//! bot's notices: message ids are unique within a chat). An edit of any other message (a menu
//! button, a message still waiting for "new or attach?", one sent before this release) is
//! ignored, and so is an edit by someone who is not a linked contact.

use super::*;
use crate::domain::{Actor, JournalEntry};
use chrono::{DateTime, Utc};

/// What remembers the user's `messages` as having become ticket `ticket_id` (or a comment on
/// it), committed with it; none when no message id is known.
pub(super) fn remembered(ticket_id: u64, messages: Vec<i64>) -> Option<Effect> {
    (!messages.is_empty()).then_some(Effect::RememberMessages { ticket_id, messages })
}

/// An edited message: a correction of the ticket it became, if it is the contact's own ticket
/// (on a consistent read), the message is recent enough and the ticket takes comments.
pub(super) fn edited(
    me: Option<Me<'_>>,
    user: &UserRecord,
    input: &Inbound,
    (message_id, new_text, sent_at): (i64, &str, Option<DateTime<Utc>>),
    facts: &Facts,
) -> Result<Outcome, Need> {
    let ignored = || Ok(Outcome { state: user.state.clone(), effects: vec![], replies: vec![] });
    let new_text = new_text.trim();
    let Some(me) = me.filter(|_| !new_text.is_empty()) else { return ignored() };
    // A message still waiting for «new or attach?» is corrected where it waits.
    if let State::NewOrAttach { pending } | State::ChoosingTicketToAttach { pending } = &user.state {
        if pending.messages.contains(&message_id) {
            return Ok(correct_waiting(user, pending, message_id, new_text));
        }
    }
    let remembered = facts.replied_to.as_ref().ok_or(Need::RepliedTo(message_id))?;
    let Some(crate::ports::RememberedMessage { ticket_id, correction }) = remembered.clone() else {
        return ignored();
    };
    let id = ticket_id.to_string();
    let answer = |template: texts::Text| {
        let replies = vec![text(&texts::fill(template.get(me.lang), &[("id", &id)]), Keyboard::Keep)];
        Ok(Outcome { state: user.state.clone(), effects: vec![], replies })
    };
    let now = facts.now.ok_or(Need::Now)?;
    if sent_at.is_none_or(|at| now - at > chrono::Duration::hours(EDIT_WINDOW_HOURS)) {
        return answer(texts::EDIT_TOO_LATE);
    }
    let ticket = facts.ticket(ticket_id)?;
    let Some(ticket) = ticket.as_ref().filter(|t| t.id == ticket_id && t.contact_id == me.contact_id) else {
        return ignored();
    };
    if !(ticket.status.is_active() || ticket.status.is_completed()) {
        return answer(texts::EDIT_NOT_ADDED);
    }
    let text_of = || texts::fill(texts::EDIT_COMMENT.ru, &[("text", new_text)]);
    let replies = vec![text(&texts::fill(texts::EDIT_ADDED.get(me.lang), &[("id", &id)]), Keyboard::Keep)];
    // Edited again minutes after its last correction: that correction is revised.
    if let Some((comment_id, _)) =
        correction.filter(|(_, at)| now - *at <= chrono::Duration::minutes(CORRECTIONS_FOLD_MINUTES))
    {
        let contact_id = me.contact_id.to_owned();
        let effects = vec![Effect::Revised { ticket_id, message_id, comment_id, contact_id, text: text_of() }];
        return Ok(Outcome { state: user.state.clone(), effects, replies });
    }
    let comment_id = super::tickets::comment_id(input);
    let effects = vec![
        Effect::AddComment(NewComment {
            ticket_id,
            on_completed: ticket.status.is_completed(),
            comment_id: comment_id.clone(),
            contact_id: me.contact_id.to_owned(),
            author_name: me.name.to_owned(),
            // Ticket data, in the desk's language (the issue's «✏️ Исправлено: …») whatever the client's.
            text: text_of(),
            files: vec![],
        }),
        Effect::Corrected { ticket_id, message_id, comment_id, contact_id: me.contact_id.to_owned() },
    ];
    Ok(Outcome { state: user.state.clone(), effects, replies })
}

/// An edit of a message that waits for «new or attach?»: the text it waits with becomes the new
/// one (when it is the only message waiting) or gets the correction after it, so the ticket or
/// comment it becomes reads as corrected. Nothing is said: the question stays on screen.
fn correct_waiting(user: &UserRecord, pending: &Pending, message_id: i64, new_text: &str) -> Outcome {
    let mut corrected = pending.clone();
    corrected.text = Some(match &pending.text {
        Some(text) if pending.messages != [message_id] => {
            format!("{text}\n{}", texts::fill(texts::EDIT_COMMENT.ru, &[("text", new_text)]))
        }
        _ => new_text.to_owned(),
    });
    let fits = corrected.text.as_deref().map_or(0, |t| t.chars().count()) < Pending::MAX_TEXT_CHARS;
    let state = match &user.state {
        State::NewOrAttach { .. } if fits => State::NewOrAttach { pending: corrected },
        State::ChoosingTicketToAttach { .. } if fits => State::ChoosingTicketToAttach { pending: corrected },
        other => other.clone(),
    };
    Outcome { state, effects: vec![], replies: vec![] }
}

/// The journal entry of a correction ([`Effect::Corrected`]), or of its revision (`again`,
/// [`Effect::Revised`]).
pub fn correction_entry(
    contact_id: &str,
    message_id: i64,
    comment_id: &str,
    again: bool,
    now: DateTime<Utc>,
) -> JournalEntry {
    let details = if again {
        format!("message {message_id} edited again in Telegram: comment {comment_id} revised")
    } else {
        format!("message {message_id} edited in Telegram: the correction is comment {comment_id}")
    };
    JournalEntry::new(now, "edited", Actor::Client(contact_id.to_owned()), details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialogue::tests::{linked as anna, settings, texts_of as said, ticket};
    use crate::domain::{Ticket, TicketStatus};
    use crate::ports::RememberedMessage;

    const MESSAGE: i64 = 31;

    /// The edit of message 31, sent `hours_ago`, with what the stores would answer; the needs
    /// the dialogue asked for, in order.
    fn edit(
        user: &UserRecord,
        remembered: Option<RememberedMessage>,
        stored: Option<Ticket>,
        hours_ago: i64,
    ) -> (Outcome, Vec<Need>) {
        let now = Utc::now();
        let event = Event::Edited {
            message_id: MESSAGE,
            text: " Принтер на 3 этаже ".into(),
            sent_at: Some(now - chrono::Duration::hours(hours_ago)),
        };
        let input = Inbound { update_id: 9, user_id: 1001, chat_id: 1001, event, language_code: None };
        let mut facts = Facts::default();
        let mut needs = vec![];
        loop {
            match step(&settings(), user, &input, &facts) {
                Ok(outcome) => return (outcome, needs),
                Err(need) => {
                    match &need {
                        Need::RepliedTo(MESSAGE) => facts.replied_to = Some(remembered.clone()),
                        Need::Now => facts.now = Some(now),
                        Need::Ticket(42) => facts.read_tickets.push((42, stored.clone())),
                        other => panic!("an edit needs no {other:?}"),
                    }
                    needs.push(need);
                }
            }
        }
    }

    #[test]
    fn an_edit_of_a_message_that_became_a_ticket_corrects_it_with_a_comment() {
        let (outcome, needs) =
            edit(&anna(), Some(RememberedMessage::of(42)), Some(ticket(42, "c1", TicketStatus::InProgress)), 2);
        assert_eq!(needs, [Need::RepliedTo(MESSAGE), Need::Now, Need::Ticket(42)]);
        let [Effect::AddComment(comment), Effect::Corrected { ticket_id: 42, message_id: MESSAGE, comment_id, .. }] =
            outcome.effects.as_slice()
        else {
            panic!("a comment and its journal entry: {:?}", outcome.effects)
        };
        assert_eq!(comment.text, "✏️ Исправлено: Принтер на 3 этаже");
        assert_eq!((comment.ticket_id, comment.on_completed, comment.contact_id.as_str()), (42, false, "c1"));
        assert_eq!(&comment.comment_id, comment_id);
        assert_eq!(said(&outcome), ["✏️ Исправление добавлено к обращению #42."]);
        assert_eq!(outcome.state, State::Idle);
    }

    /// Edited again within minutes of its last correction: that correction's comment is revised
    /// (one comment, one notice); later, a new correction.
    #[test]
    fn edits_minutes_apart_revise_the_last_correction() {
        let corrected = |minutes_ago| RememberedMessage {
            ticket_id: 42,
            correction: Some(("c7".into(), Utc::now() - chrono::Duration::minutes(minutes_ago))),
        };
        let (outcome, _) = edit(&anna(), Some(corrected(2)), Some(ticket(42, "c1", TicketStatus::InProgress)), 2);
        let [Effect::Revised { ticket_id: 42, message_id: MESSAGE, comment_id, contact_id, text }] =
            outcome.effects.as_slice()
        else {
            panic!("the correction revised: {:?}", outcome.effects)
        };
        assert_eq!((comment_id.as_str(), contact_id.as_str()), ("c7", "c1"));
        assert_eq!(text, "✏️ Исправлено: Принтер на 3 этаже");
        assert_eq!(said(&outcome), ["✏️ Исправление добавлено к обращению #42."]);
        let (outcome, _) = edit(&anna(), Some(corrected(6)), Some(ticket(42, "c1", TicketStatus::InProgress)), 2);
        assert!(matches!(outcome.effects.as_slice(), [Effect::AddComment(_), Effect::Corrected { .. }]));
        let (outcome, _) = edit(&anna(), Some(corrected(2)), Some(ticket(42, "c1", TicketStatus::Cancelled)), 2);
        assert!(outcome.effects.is_empty(), "a cancelled ticket takes no revision either");
    }

    #[test]
    fn a_completed_tickets_correction_is_a_question_on_it_and_a_cancelled_one_takes_none() {
        let (outcome, _) =
            edit(&anna(), Some(RememberedMessage::of(42)), Some(ticket(42, "c1", TicketStatus::Done)), 2);
        assert!(matches!(&outcome.effects[0], Effect::AddComment(c) if c.on_completed));
        let (outcome, _) =
            edit(&anna(), Some(RememberedMessage::of(42)), Some(ticket(42, "c1", TicketStatus::Cancelled)), 2);
        assert!(outcome.effects.is_empty());
        assert_eq!(said(&outcome), ["Обращение #42 отменено, поэтому исправление к нему не добавлено."]);
    }

    #[test]
    fn an_edit_after_48_hours_is_answered_without_reading_the_ticket() {
        let (outcome, needs) =
            edit(&anna(), Some(RememberedMessage::of(42)), Some(ticket(42, "c1", TicketStatus::InProgress)), 49);
        assert!(!needs.contains(&Need::Ticket(42)));
        assert!(outcome.effects.is_empty());
        assert_eq!(said(&outcome).len(), 1);
        assert!(said(&outcome)[0].starts_with("Исправления сообщений принимаются в течение 48 часов"));
    }

    #[test]
    fn edits_of_other_messages_of_others_tickets_or_by_others_change_nothing_and_say_nothing() {
        let unchanged = |(outcome, _): (Outcome, Vec<Need>)| outcome.effects.is_empty() && outcome.replies.is_empty();
        assert!(unchanged(edit(&anna(), None, None, 1)), "a message that became nothing");
        assert!(
            unchanged(edit(
                &anna(),
                Some(RememberedMessage::of(42)),
                Some(ticket(42, "c2", TicketStatus::InProgress)),
                1
            )),
            "another's ticket"
        );
        assert!(unchanged(edit(&anna(), Some(RememberedMessage::of(42)), None, 1)), "a ticket that is gone");
        let employee = UserRecord {
            link: Some(Link::Employee { employee_id: "e1".into(), name: "Иван".into() }),
            ..UserRecord::default()
        };
        assert!(unchanged(edit(
            &employee,
            Some(RememberedMessage::of(42)),
            Some(ticket(42, "c1", TicketStatus::InProgress)),
            1
        )));
        assert!(
            unchanged(edit(&UserRecord::default(), Some(RememberedMessage::of(42)), None, 1)),
            "someone not registered"
        );
    }

    #[test]
    fn an_edit_of_a_waiting_message_corrects_what_waits_without_a_read() {
        let waiting = |messages: Vec<i64>, text: &str| UserRecord {
            state: State::NewOrAttach { pending: Pending { text: Some(text.into()), messages, ..Pending::default() } },
            ..anna()
        };
        let (outcome, needs) = edit(&waiting(vec![MESSAGE], "Принтер на 2 этаже"), None, None, 0);
        assert!(needs.is_empty(), "{needs:?}");
        assert!(outcome.effects.is_empty() && outcome.replies.is_empty());
        let State::NewOrAttach { pending } = &outcome.state else { panic!("still waiting") };
        assert_eq!(pending.text.as_deref(), Some("Принтер на 3 этаже"));
        // One of several messages: the correction follows what waits.
        let (outcome, _) = edit(&waiting(vec![30, MESSAGE], "Сканер\nПринтер на 2 этаже"), None, None, 0);
        let State::NewOrAttach { pending } = &outcome.state else { panic!("still waiting") };
        assert_eq!(pending.text.as_deref(), Some("Сканер\nПринтер на 2 этаже\n✏️ Исправлено: Принтер на 3 этаже"));
        assert_eq!(pending.messages, [30, MESSAGE]);
    }

    #[test]
    fn the_window_the_text_names_is_the_one_checked() {
        assert!(texts::EDIT_TOO_LATE.ru.contains(&format!("{EDIT_WINDOW_HOURS} час")));
    }
}
