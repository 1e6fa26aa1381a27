//! `TICKET#<id>` / `TICKET`. Only ticket items carry `contact_id` and `client_id`, so the
//! `ByContact` and `ByClient` indexes hold tickets alone.

use crate::dialogue::TicketSummary;
use crate::domain::{Actor, Rating, Ticket, TicketStatus};
use crate::dynamo::attr::*;
use crate::dynamo::keys;
use crate::ports::StoreError;

/// The attributes a ticket summary is read with (`#s` stands for `status`, a reserved word).
pub const SUMMARY_PROJECTION: &str = "id, subject, #s";

pub fn to_item(ticket: &Ticket) -> Item {
    let mut item = keyed(keys::ticket(ticket.id));
    item.extend([
        ("id".to_owned(), n(ticket.id)),
        ("subject".to_owned(), s(&ticket.subject)),
        ("message".to_owned(), s(&ticket.message)),
        ("status".to_owned(), s(ticket.status.code())),
        ("source".to_owned(), s(&ticket.source)),
        ("client_id".to_owned(), s(&ticket.client_id)),
        ("contact_id".to_owned(), s(&ticket.contact_id)),
        ("created_at".to_owned(), time(ticket.created_at)),
        ("updated_at".to_owned(), time(ticket.updated_at)),
        ("changed_by".to_owned(), s(ticket.changed_by.code())),
        ("version".to_owned(), n(ticket.version)),
    ]);
    if let Some(assignee) = &ticket.assignee_id {
        item.insert("assignee_id".into(), s(assignee));
    }
    if let Some(name) = &ticket.assignee_name {
        item.insert("assignee_name".into(), s(name));
    }
    if let Some(deadline) = ticket.deadline {
        item.insert("deadline".into(), time(deadline));
    }
    if let Some(at) = ticket.completed_at {
        item.insert("completed_at".into(), time(at));
    }
    if let Some(rating) = ticket.rating {
        item.insert("rating_score".into(), n(rating.score));
        item.insert("rating_at".into(), time(rating.at));
    }
    if let Some(at) = ticket.low_score_told {
        item.insert("low_score_told".into(), time(at));
    }
    item
}

pub fn from_item(item: &Item) -> Result<Ticket, StoreError> {
    Ok(Ticket {
        id: required_u64(item, "id")?,
        subject: required_s(item, "subject")?,
        message: get_s(item, "message").unwrap_or_default().to_owned(),
        status: status(item)?,
        source: required_s(item, "source")?,
        client_id: required_s(item, "client_id")?,
        contact_id: required_s(item, "contact_id")?,
        assignee_id: get_s(item, "assignee_id").map(str::to_owned),
        assignee_name: get_s(item, "assignee_name").map(str::to_owned),
        deadline: optional_time(item, "deadline")?,
        created_at: required_time(item, "created_at")?,
        updated_at: required_time(item, "updated_at")?,
        // Written by every version of this code; an item without it was made by hand.
        changed_by: get_s(item, "changed_by").and_then(Actor::from_code).unwrap_or(Actor::Api),
        version: get_u64(item, "version").unwrap_or(0),
        completed_at: optional_time(item, "completed_at")?,
        rating: match (get_u64(item, "rating_score"), optional_time(item, "rating_at")?) {
            (Some(score), Some(at)) => {
                Some(Rating { score: u8::try_from(score).map_err(|_| corrupt("rating score"))?, at })
            }
            _ => None,
        },
        low_score_told: optional_time(item, "low_score_told")?,
    })
}

/// A ticket as lists need it, from an item read with [`SUMMARY_PROJECTION`].
pub fn summary_from_item(item: &Item) -> Result<TicketSummary, StoreError> {
    Ok(TicketSummary {
        id: required_u64(item, "id")?,
        subject: get_s(item, "subject").unwrap_or_default().to_owned(),
        status: status(item)?,
    })
}

fn status(item: &Item) -> Result<TicketStatus, StoreError> {
    get_s(item, "status").and_then(TicketStatus::from_code).ok_or_else(|| corrupt("ticket status"))
}
