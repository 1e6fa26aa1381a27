//! The dialogue (`dialogue::step`) on arbitrary events, user records and desks, its questions
//! answered as the app answers them.

use crate::inputs::{self, Desk, ME};
use crate::limits::check_reply;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use shared::dialogue::{self, AlbumTarget, Effect, Event, Facts, Inbound, Need, Outcome, Reply, UserRecord};
use shared::domain::Link;
use shared::test_util::fixtures::settings;

/// Runs `step` to its outcome the way `Bot::decide` does, failing the case where the app would
/// fail the update: a fact asked for twice, or files asked of an update that carries none.
pub fn decide(user: &UserRecord, input: &Inbound, desk: &Desk) -> Result<Outcome, TestCaseError> {
    let mut facts = Facts::default();
    let mut asked: Vec<Need> = vec![];
    loop {
        match dialogue::step(&settings(), user, input, &facts) {
            Ok(outcome) => return Ok(outcome),
            Err(need) => {
                prop_assert!(!asked.contains(&need), "asked again for {need:?} after {asked:?}");
                if need == Need::StoreFiles {
                    let has_files = matches!(&input.event, Event::Message(content) if !content.files.is_empty());
                    prop_assert!(has_files, "files asked of {:?}", input.event);
                }
                desk.answer(&need, input, &mut facts);
                asked.push(need);
            }
        }
    }
}

/// A press is answered exactly once (else the user's client shows a spinner), and nothing else is.
pub fn check_press_answers(event: &Event, replies: &[Reply]) -> Result<(), TestCaseError> {
    let answers: Vec<&String> = replies
        .iter()
        .filter_map(|reply| match reply {
            Reply::AnswerPress { press_id, .. } => Some(press_id),
            _ => None,
        })
        .collect();
    match event {
        Event::Press { id, .. } => prop_assert_eq!(answers, vec![id], "one answer to the press"),
        _ => prop_assert!(answers.is_empty(), "a press answer without a press: {:?}", replies),
    }
    Ok(())
}

/// Tickets, comments, cancellations and call-back requests are made only for the contact the
/// user is linked to, and only on tickets that are theirs as the consistent read found them;
/// staff comments only by the linked employee, on a ticket that exists.
fn check_effects_are_the_contacts(user: &UserRecord, outcome: &Outcome, desk: &Desk) -> Result<(), TestCaseError> {
    let me = match &user.link {
        Some(Link::Contact { contact_id, client_id, .. }) => Some((contact_id, client_id)),
        _ => None,
    };
    let mine =
        |ticket_id: u64| desk.tickets.iter().any(|t| t.id == ticket_id && Some(&t.contact_id) == me.map(|m| m.0));
    for effect in &outcome.effects {
        match effect {
            Effect::CreateTicket(ticket) => {
                prop_assert_eq!(Some((&ticket.contact_id, &ticket.client_id)), me, "a ticket for someone else");
                prop_assert_eq!(ticket.id, desk.next_ticket_id, "a ticket number not from the counter");
            }
            Effect::AddComment(comment) => {
                prop_assert_eq!(Some(&comment.contact_id), me.map(|m| m.0), "a comment as someone else");
                prop_assert!(mine(comment.ticket_id), "a comment on ticket {} of someone else", comment.ticket_id);
            }
            Effect::CancelTicket { ticket_id, contact_id } => {
                prop_assert_eq!(Some(contact_id), me.map(|m| m.0), "a cancellation as someone else");
                prop_assert!(mine(*ticket_id), "cancelled ticket {ticket_id} of someone else");
            }
            Effect::RequestCallMe { contact_id, client_id, .. } => {
                prop_assert_eq!(Some((contact_id, client_id)), me, "a call-back request as someone else");
            }
            Effect::AddStaffComment(comment) => {
                let employee = match &user.link {
                    Some(Link::Employee { employee_id, .. }) => Some(employee_id),
                    _ => None,
                };
                prop_assert_eq!(Some(&comment.employee_id), employee, "a staff comment not by the linked employee");
                // Read to exist, or the ticket the employee's own album went to (its later
                // parts read no ticket: the commit's condition is that it exists).
                let claimed = matches!(&desk.album, Some(AlbumTarget::Ticket { ticket_id, .. }) if *ticket_id == comment.ticket_id);
                prop_assert!(
                    claimed || desk.tickets.iter().any(|t| t.id == comment.ticket_id),
                    "a staff comment on ticket {} that does not exist",
                    comment.ticket_id
                );
            }
            Effect::Corrected { ticket_id, contact_id, .. } => {
                prop_assert_eq!(Some(contact_id), me.map(|m| m.0), "a correction as someone else");
                prop_assert!(mine(*ticket_id), "a correction of ticket {ticket_id} of someone else");
            }
            // Messages are remembered only with what they became: a ticket or comment of this
            // outcome, or a later album part's ticket.
            Effect::RememberMessages { ticket_id, .. } => {
                let made = outcome.effects.iter().any(|e| match e {
                    Effect::CreateTicket(t) => t.id == *ticket_id,
                    Effect::AddComment(c) => c.ticket_id == *ticket_id,
                    Effect::AddFiles { ticket_id: id, .. }
                    | Effect::SetSubject { ticket_id: id, .. }
                    | Effect::SetCommentText { ticket_id: id, .. } => id == ticket_id,
                    _ => false,
                });
                prop_assert!(made, "messages remembered with ticket {ticket_id}, which this outcome did not touch");
            }
            _ => {}
        }
    }
    Ok(())
}

/// What every outcome keeps to: replies within Telegram's limits, one answer per press, and
/// effects only on the linked contact's own tickets.
fn check_outcome(user: &UserRecord, input: &Inbound, outcome: &Outcome, desk: &Desk) -> Result<(), TestCaseError> {
    for reply in &outcome.replies {
        check_reply(reply)?;
    }
    check_press_answers(&input.event, &outcome.replies)?;
    check_effects_are_the_contacts(user, outcome, desk)
}

proptest! {
    #![proptest_config(crate::config(3000))]

    /// Whatever the user's record, the event and the desk: an outcome, each fact asked for at
    /// most once, the checks above, and an answer to everything but a block and the quiet
    /// cases below.
    #[test]
    fn the_dialogue_answers_anything(
        user in inputs::user_record(),
        input in inputs::inbound(),
        desk in inputs::desk(),
    ) {
        let outcome = decide(&user, &input, &desk)?;
        check_outcome(&user, &input, &outcome, &desk)?;
        if !matches!(input.event, Event::BlockedBot(_)) {
            // An edit of a message that became nothing of the contact's is ignored.
            let is_edit = matches!(input.event, Event::Edited { .. });
            let may_pass_silently = is_later_album_part(&input, &desk) || is_blank(&input.event) || is_edit;
            prop_assert!(!outcome.replies.is_empty() || may_pass_silently, "no answer at all");
        }
    }

    /// The same for the bot's own buttons, each pressed in any state.
    #[test]
    fn every_button_of_the_protocol_is_answered(
        user in inputs::user_record(),
        press in inputs::press(),
        desk in inputs::desk(),
    ) {
        let press = Event::Press { id: "cb".into(), data: press.encode(), message: None };
        let input = Inbound { update_id: 7, user_id: ME, chat_id: ME as i64, event: press, language_code: None };
        let outcome = decide(&user, &input, &desk)?;
        check_outcome(&user, &input, &outcome, &desk)?;
    }
}

/// A message with nothing to take: Telegram sends no such thing (it refuses to send a blank
/// message, and one without text or files arrives as an unsupported kind).
fn is_blank(event: &Event) -> bool {
    let Event::Message(content) = event else { return false };
    let no_text = content.text.as_deref().is_none_or(|t| t.trim().is_empty());
    no_text && content.files.is_empty() && content.too_large.is_empty()
}

/// Only the part of an album that claimed it confirms it: later parts may pass silently.
fn is_later_album_part(input: &Inbound, desk: &Desk) -> bool {
    matches!(&input.event, Event::Message(content) if content.album.is_some()) && desk.album.is_some()
}
