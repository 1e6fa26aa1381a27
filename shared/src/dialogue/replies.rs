//! Conversation in place: a client's Telegram reply to the bot's message about one of their
//! tickets is a comment on it, as the menu's «💬 Добавить комментарий» would make it; and a deep
//! link `/start t<id>` opens the ticket's card.
//!
//! ```text
//! bot   🔔 Заявка #42 … Статус: В работе                 (a notice: its message id remembered)
//! user  ↩ (reply to it) Принтер снова не печатает
//! bot   ✔️ Ваш комментарий добавлен к обращению #42. …    [main menu]
//! ```
//!
//! Which ticket a message is about: the bot's answers in the chat (a creation confirmation, a
//! card, a comment confirmation) ride in the webhook's response, so their message ids are never
//! known; each names its one ticket in a fixed sentence, and Telegram quotes the replied-to
//! message, so the number is read from that sentence ([`ticket_named_in`]). The notifier's
//! notices are sent through the Bot API, and their ids are remembered
//! ([`crate::ports::MessageTickets`]): one read. Either way the ticket counts only if it is the
//! replier's own on a consistent read: a reply naming another's ticket is an ordinary message.

use super::tickets::{dropped, menu, take_content};
use super::*;

/// The bot's answers about one ticket that the webhook gives inline: their text names it.
const ABOUT_ONE_TICKET: [texts::Text; 4] =
    [texts::TICKET_CREATED, texts::COMMENT_ADDED, texts::COMMENT_ADDED_AS_QUESTION, texts::TICKET_CARD];

/// The ticket a message of the bot's answers about, read from its text: the number where one of
/// the answers about one ticket has `{id}`, in any language (the client's may have changed since).
pub fn ticket_named_in(text: &str) -> Option<u64> {
    ABOUT_ONE_TICKET.iter().flat_map(|t| t.any()).find_map(|template| {
        let (before, after) = template.split_once("{id}")?;
        let rest = text.strip_prefix(before)?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let follows = after.chars().next();
        if follows.is_some_and(|c| !rest[digits.len()..].starts_with(c)) {
            return None;
        }
        digits.parse().ok()
    })
}

/// The `/start` payload of a deep link that opens ticket `id` (`https://t.me/<bot>?start=t<id>`).
pub fn deep_link_payload(id: u64) -> String {
    format!("t{id}")
}

/// The ticket a `/start` payload opens.
pub fn ticket_of_payload(payload: &str) -> Option<u64> {
    let digits = payload.strip_prefix('t')?;
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The ticket the message replies about, if any: named in the bot's answer, else remembered
/// for the bot's notice (one read).
fn replied_ticket(replied: &RepliedTo, facts: &Facts) -> Result<Option<u64>, Need> {
    if let Some(id) = replied.text.as_deref().and_then(ticket_named_in) {
        return Ok(Some(id));
    }
    facts.replied_to.ok_or(Need::RepliedTo(replied.message_id))
}

/// A reply to the bot's message about one of the contact's tickets: the comment the menu flow
/// would make, whatever the dialogue was waiting for (a waiting message is said to be dropped,
/// as a menu button does). A completed ticket gets it as a question; a cancelled one offers to
/// make it a new ticket. `None`: not such a reply, the message is an ordinary one.
pub(super) fn comment_by_reply(
    me: &Me<'_>,
    user: &UserRecord,
    input: &Inbound,
    content: &Content,
    facts: &Facts,
) -> Result<Option<Outcome>, Need> {
    let Some(replied) = &content.reply_to else { return Ok(None) };
    let Some(id) = replied_ticket(replied, facts)? else { return Ok(None) };
    // The replier's own ticket, on a consistent read (the same read the comment is decided on).
    let current = facts.ticket.as_ref().ok_or(Need::Ticket(id))?;
    if !current.as_ref().is_some_and(|t| t.id == id && t.contact_id == me.contact_id) {
        return Ok(None);
    }
    let (pending, warnings) = take_content(content, facts, me.lang)?;
    if pending.text.is_none() && pending.files.is_empty() {
        return Ok(Some(Outcome { state: user.state.clone(), effects: vec![], replies: warnings }));
    }
    let mut said = dropped(user, me.lang);
    said.extend(warnings);
    // Asked about as it is: a completed ticket's comment is a question, confirmed as such.
    actions::comment(me, input, (id, true), pending, facts, said).map(Some)
}

/// `/start t<id>`: the card of the contact's own ticket (the dialogue stays where it was), or,
/// for a ticket that is not theirs or does not exist, what `/start` gives.
pub(super) fn open_card(
    settings: &DialogueSettings,
    me: &Me<'_>,
    user: &UserRecord,
    id: u64,
    facts: &Facts,
) -> Result<Outcome, Need> {
    let ticket = facts.ticket.as_ref().ok_or(Need::Ticket(id))?;
    match ticket.as_ref().filter(|t| t.id == id && t.contact_id == me.contact_id) {
        Some(ticket) => Ok(Outcome {
            state: user.state.clone(),
            effects: vec![],
            replies: vec![text(&actions::card_text(settings, ticket, me.lang), Keyboard::Keep)],
        }),
        None => menu(me, facts, texts::MENU_PROMPT.get(me.lang), dropped(user, me.lang)),
    }
}

/// «📋 Карточка» pressed by a linked employee: the ticket's card, read as it is now (staff see
/// every ticket in the desk; an employee who is no longer linked is not one here).
pub(super) fn staff_card(
    settings: &DialogueSettings,
    user: &UserRecord,
    press_id: &str,
    id: u64,
    facts: &Facts,
    lang: Lang,
) -> Result<Outcome, Need> {
    let ticket = facts.ticket.as_ref().ok_or(Need::Ticket(id))?;
    let replies = match ticket.as_ref().filter(|t| t.id == id) {
        Some(ticket) => {
            vec![answer(press_id, None), text(&actions::card_text(settings, ticket, lang), Keyboard::Keep)]
        }
        None => vec![answer(
            press_id,
            Some(&texts::fill(texts::TICKET_NOT_AVAILABLE.get(lang), &[("id", &id.to_string())])),
        )],
    };
    Ok(Outcome { state: user.state.clone(), effects: vec![], replies })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answers_about_one_ticket_name_it() {
        let named = |template: &str| ticket_named_in(&texts::fill(template, &[("id", "42"), ("subject", "Принтер")]));
        for template in ABOUT_ONE_TICKET.iter().flat_map(|t| t.any()) {
            assert_eq!(named(template), Some(42), "{template}");
        }
        // Other sentences with a number are not about one ticket the reply may comment on.
        for lang in Lang::ALL {
            assert_eq!(named(texts::TICKET_NOT_AVAILABLE.get(lang)), None);
            assert_eq!(named(texts::COMMENT_TICKET_CANCELLED.get(lang)), None);
        }
        assert_eq!(ticket_named_in("#42"), None);
        assert_eq!(ticket_named_in("📋 #"), None);
        assert_eq!(ticket_named_in("📋 #42"), None, "the card goes on after its number");
    }

    #[test]
    fn a_deep_link_names_a_ticket() {
        assert_eq!(ticket_of_payload(&deep_link_payload(42)), Some(42));
        for other in ["t", "42", "tx", "t-1", "t42x", "ref-1", "t99999999999999999999"] {
            assert_eq!(ticket_of_payload(other), None, "{other}");
        }
    }
}
