//! The client's actions on existing tickets (spec, sections 2–6): the status card, comments,
//! cancelling, a question about a completed ticket, and the call-back request.
//!
//! Ticket lists are inline buttons carrying the list and the ticket id ([`Press::Pick`]). Every
//! press is checked against the presser's own tickets as they are now: another contact's id, or
//! an action that no longer applies, changes nothing.

use super::tickets::{active, add_comment, comment_added, counts, counts_with, menu, ticket_list, tickets};
use super::*;

/// The contact's tickets a list offers, newest first, paged.
pub(super) fn list(
    me: &Me<'_>,
    facts: &Facts,
    which: TicketList,
    page: usize,
    mut replies: Vec<Reply>,
) -> Result<Outcome, Need> {
    let all = tickets(me, facts)?;
    let shown: Vec<&TicketSummary> = all.iter().filter(|t| which.applies(t.status)).collect();
    if shown.is_empty() {
        let none = if which == TicketList::Question {
            texts::NO_COMPLETED_TICKETS.get(me.lang)
        } else {
            texts::NO_ACTIVE_TICKETS.get(me.lang)
        };
        return menu(me, facts, none, replies);
    }
    replies.push(ticket_list(which, &shown, page, me.lang));
    // A menu button abandons whatever the dialogue was waiting for.
    Ok(Outcome { state: State::Idle, effects: vec![], replies })
}

/// Another page of a list: the dialogue stays where it was.
pub(super) fn page(
    me: &Me<'_>,
    user: &UserRecord,
    press_id: &str,
    which: TicketList,
    page: usize,
    facts: &Facts,
) -> Result<Outcome, Need> {
    let outcome = list(me, facts, which, page, vec![answer(press_id, None)])?;
    Ok(Outcome { state: user.state.clone(), ..outcome })
}

/// A ticket picked to comment on (or to ask about, from [`TicketList::Question`]): the next
/// message becomes the comment.
pub(super) fn comment_on(
    me: &Me<'_>,
    user: &UserRecord,
    press_id: &str,
    which: TicketList,
    id: u64,
    facts: &Facts,
) -> Result<Outcome, Need> {
    if own(me, facts, which, id)?.is_none() {
        return not_available(me, user, press_id, id, facts);
    }
    Ok(Outcome {
        state: State::AwaitingComment { ticket_id: id, completed: which == TicketList::Question },
        effects: vec![],
        replies: vec![answer(press_id, None), text(texts::COMMENT_PROMPT.get(me.lang), Keyboard::Keep)],
    })
}

/// A ticket picked to cancel: cancelled if it is still the contact's and active.
pub(super) fn cancel(me: &Me<'_>, user: &UserRecord, press_id: &str, id: u64, facts: &Facts) -> Result<Outcome, Need> {
    let Some(ticket) = own(me, facts, TicketList::Cancel, id)? else {
        return not_available(me, user, press_id, id, facts);
    };
    // The menu as the cancellation leaves it: the list (which may lag a write by a moment, or
    // not list the ticket as active yet) with the ticket as the consistent read found it, now
    // cancelled — never a count taken down below what the list holds.
    let cancelled = crate::domain::Ticket { status: crate::domain::TicketStatus::Cancelled, ..ticket.clone() };
    let counts = counts_with(me, tickets(me, facts)?, &cancelled);
    let mut message = texts::fill(texts::TICKET_CANCELLED.get(me.lang), &[("id", &id.to_string())]);
    if counts.active == 0 {
        message = format!("{message}\n\n{}", texts::NO_MORE_ACTIVE.get(me.lang));
    }
    Ok(Outcome {
        state: State::Idle,
        effects: vec![Effect::CancelTicket { ticket_id: id, contact_id: me.contact_id.to_owned() }],
        replies: vec![answer(press_id, None), text(&message, main_menu(counts, me.lang))],
    })
}

/// The contact's ticket `id`, if the list offers it now. Read consistently (not from the
/// contact's index, which lags a write by a moment): a double tap or a ticket closed by staff
/// a second ago is refused, not retried against a stale view.
fn own<'f>(
    me: &Me<'_>,
    facts: &'f Facts,
    which: TicketList,
    id: u64,
) -> Result<Option<&'f crate::domain::Ticket>, Need> {
    let ticket = facts.ticket(id)?;
    Ok(ticket.filter(|t| t.id == id && t.contact_id == me.contact_id && which.applies(t.status)))
}

fn not_available(me: &Me<'_>, user: &UserRecord, press_id: &str, id: u64, facts: &Facts) -> Result<Outcome, Need> {
    let refusal = texts::fill(texts::TICKET_NOT_AVAILABLE.get(me.lang), &[("id", &id.to_string())]);
    let outcome = menu(me, facts, &refusal, vec![answer(press_id, Some(&refusal))])?;
    Ok(Outcome { state: user.state.clone(), ..outcome })
}

/// The ticket card (spec: "Просмотр статуса заявки"). One read: the ticket carries its
/// assignee's name.
pub(super) fn card(
    settings: &DialogueSettings,
    me: &Me<'_>,
    user: &UserRecord,
    press_id: &str,
    id: u64,
    facts: &Facts,
) -> Result<Outcome, Need> {
    let ticket = facts.ticket(id)?;
    let Some(ticket) = ticket.as_ref().filter(|t| t.contact_id == me.contact_id) else {
        // Not theirs (or gone): the same answer as for a ticket that does not exist.
        let refusal = texts::fill(texts::TICKET_NOT_AVAILABLE.get(me.lang), &[("id", &id.to_string())]);
        return Ok(Outcome {
            state: user.state.clone(),
            effects: vec![],
            replies: vec![answer(press_id, Some(&refusal))],
        });
    };
    Ok(Outcome {
        state: user.state.clone(),
        effects: vec![],
        replies: vec![answer(press_id, None), text(&card_text(settings, ticket, me.lang), Keyboard::Keep)],
    })
}

/// The card's text (spec: "Просмотр статуса заявки").
pub(super) fn card_text(settings: &DialogueSettings, ticket: &crate::domain::Ticket, lang: Lang) -> String {
    let deadline = ticket
        .deadline
        .map(|d| d.with_timezone(&settings.timezone).format("%d.%m.%Y %H:%M").to_string())
        .unwrap_or_else(|| texts::NOT_SET.get(lang).to_owned());
    let assignee = match (&ticket.assignee_id, &ticket.assignee_name) {
        (Some(_), Some(name)) if !name.is_empty() => name.clone(),
        _ => texts::NOT_SET.get(lang).to_owned(),
    };
    texts::fill(
        texts::TICKET_CARD.get(lang),
        &[
            ("id", &ticket.id.to_string()),
            ("subject", &ticket.subject),
            ("assignee", &assignee),
            ("status", ticket.status.name(lang)),
            ("deadline", &deadline),
        ],
    )
}

/// The message after "💬 Добавить комментарий" or "🧐 …" and a ticket: the comment. Nothing
/// written is lost when the ticket moved on meanwhile (checked on a consistent read): on a
/// ticket completed since, the comment is a question about it and the reply says so; on one
/// reopened since, a plain comment; on a cancelled ticket (or one no longer the client's) the
/// message waits while the client is offered to make it a new ticket.
pub(super) fn comment(
    me: &Me<'_>,
    input: &Inbound,
    (ticket_id, asked_about_completed): (u64, bool),
    pending: Pending,
    facts: &Facts,
    warnings: Vec<Reply>,
) -> Result<Outcome, Need> {
    let all = tickets(me, facts)?;
    let current = facts.ticket(ticket_id)?;
    let current = current.filter(|t| t.id == ticket_id && t.contact_id == me.contact_id);
    let first_part = pending.album.is_some() && matches!(facts.album, Some(None));
    let id = ticket_id.to_string();
    match current {
        Some(ticket) if ticket.status.is_active() || ticket.status.is_completed() => {
            let on_completed = ticket.status.is_completed();
            let said = if on_completed && !asked_about_completed {
                texts::fill(texts::COMMENT_ADDED_AS_QUESTION.get(me.lang), &[("id", &id)])
            } else {
                comment_added(ticket_id, me.lang)
            };
            let confirmation = text(&said, main_menu(counts_with(me, all, ticket), me.lang));
            Ok(add_comment(me, input, (ticket_id, on_completed), pending, warnings, first_part, confirmation))
        }
        _ => {
            let template = if current.is_some_and(|t| t.status == crate::domain::TicketStatus::Cancelled) {
                texts::COMMENT_TICKET_CANCELLED.get(me.lang)
            } else {
                texts::COMMENT_TICKET_UNAVAILABLE.get(me.lang)
            };
            let mut buttons = vec![vec![InlineButton::new(texts::BTN_NEW_REQUEST.get(me.lang), Press::NewTicket)]];
            if active(all).iter().any(|t| t.id != ticket_id) {
                buttons.push(vec![InlineButton::new(texts::BTN_ATTACH.get(me.lang), Press::Attach)]);
            }
            let mut effects = vec![];
            if let Some(album) = &pending.album {
                effects.push(Effect::ClaimAlbum {
                    album: album.clone(),
                    target: AlbumTarget::Pending,
                    first: first_part,
                });
            }
            let mut replies = warnings;
            replies.push(text(&texts::fill(template, &[("id", &id)]), Keyboard::Inline(buttons)));
            Ok(Outcome { state: State::NewOrAttach { pending }, effects, replies })
        }
    }
}

/// A score pressed on a completed ticket's notice: stored if the ticket is the presser's and
/// still open to rating (a changed score replaces the first, within the same window).
pub(super) fn rate(
    me: &Me<'_>,
    user: &UserRecord,
    press_id: &str,
    id: u64,
    score: u8,
    facts: &Facts,
) -> Result<Outcome, Need> {
    let now = facts.now.ok_or(Need::Now)?;
    let ticket = facts.ticket(id)?;
    let keep = |replies| Ok(Outcome { state: user.state.clone(), effects: vec![], replies });
    // Someone else's ticket (a forged press) or none: nothing is told about it.
    let Some(ticket) = ticket.as_ref().filter(|t| t.id == id && t.contact_id == me.contact_id) else {
        return keep(vec![answer(press_id, Some(texts::BUTTON_STALE.get(me.lang)))]);
    };
    if !ticket.rating_open(now) {
        return keep(vec![answer(press_id, Some(texts::RATING_CLOSED.get(me.lang)))]);
    }
    if ticket.rating.is_some_and(|r| r.score == score) {
        return keep(vec![answer(press_id, Some(&texts::rating_thanks(score, me.lang)))]);
    }
    let thanks = match ticket.rating {
        Some(_) => {
            texts::fill(texts::RATING_CHANGED.get(me.lang), &[("id", &id.to_string()), ("stars", &texts::stars(score))])
        }
        None => {
            texts::fill(texts::RATING_THANKS.get(me.lang), &[("id", &id.to_string()), ("stars", &texts::stars(score))])
        }
    };
    Ok(Outcome {
        state: user.state.clone(),
        effects: vec![Effect::RateTicket(NewRating {
            ticket_id: id,
            contact_id: me.contact_id.to_owned(),
            score,
            previous: ticket.rating,
            assignee_id: ticket.assignee_id.clone(),
            // Once a completion: ⭐1 → ⭐5 → ⭐1 pages no one twice; a reopened and again
            // completed ticket is a new completion.
            tells_low_of: ticket.completed_at.filter(|&at| score <= 2 && ticket.low_score_told != Some(at)),
        })],
        replies: vec![answer(press_id, Some(&texts::rating_thanks(score, me.lang))), text(&thanks, Keyboard::Keep)],
    })
}

/// "😮 Я отправлял задачу…": the request is recorded (the notifier tells the manager), and the
/// reply says truthfully whether a manager will hear of it in Telegram. While an earlier request
/// stands, the client is told so and the manager is not asked twice.
pub(super) fn call_me(me: &Me<'_>, input: &Inbound, facts: &Facts) -> Result<Outcome, Need> {
    let standing =
        facts.standing_call_me.as_ref().ok_or_else(|| Need::StandingCallMe { contact_id: me.contact_id.to_owned() })?;
    let counts = counts(tickets(me, facts)?);
    if standing.is_some() {
        return Ok(Outcome {
            state: State::Idle,
            effects: vec![],
            replies: vec![text(texts::CALL_ME_STANDING.get(me.lang), main_menu(counts, me.lang))],
        });
    }
    let manager = facts.manager.as_ref().ok_or_else(|| Need::Manager { client_id: me.client_id.to_owned() })?;
    let reply = if manager.as_ref().is_some_and(|m| m.linked) {
        texts::CALL_ME_NOTIFIED.get(me.lang)
    } else {
        texts::CALL_ME_RECORDED.get(me.lang)
    };
    Ok(Outcome {
        state: State::Idle,
        effects: vec![Effect::RequestCallMe {
            id: format!("r{}", input.update_id),
            contact_id: me.contact_id.to_owned(),
            client_id: me.client_id.to_owned(),
        }],
        replies: vec![text(reply, main_menu(counts, me.lang))],
    })
}

/// The journal's entry of a client's cancellation in the bot ([`Effect::CancelTicket`]).
pub fn cancellation_entry(contact_id: &str, now: chrono::DateTime<chrono::Utc>) -> crate::domain::JournalEntry {
    let by = crate::domain::Actor::Client(contact_id.to_owned());
    crate::domain::JournalEntry::new(now, "cancelled", by, "cancelled by the client in the Telegram bot")
}
