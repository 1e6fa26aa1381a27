//! `RATING#<yyyy-mm>` / `RATING#<ticket id>`: a ticket's score under the month it was given,
//! with whose work it rates (the summary per assignee reads these alone).

use crate::domain::Rating;
use crate::dynamo::attr::*;
use crate::dynamo::keys;
use crate::ports::{RatedWork, StoreError};
use chrono::{DateTime, Utc};

/// The partition's month of a moment (UTC).
pub fn month(at: DateTime<Utc>) -> String {
    at.format("%Y-%m").to_string()
}

pub fn to_item(work: &RatedWork) -> Item {
    let mut item = keyed(keys::rating(&month(work.rating.at), work.ticket_id));
    item.extend([
        ("ticket_id".to_owned(), n(work.ticket_id)),
        ("score".to_owned(), n(work.rating.score)),
        ("rated_at".to_owned(), time(work.rating.at)),
    ]);
    if let Some(assignee) = &work.assignee_id {
        item.insert("assignee_id".into(), s(assignee));
    }
    item
}

pub fn from_item(item: &Item) -> Result<RatedWork, StoreError> {
    let score = required_u64(item, "score")?;
    Ok(RatedWork {
        ticket_id: required_u64(item, "ticket_id")?,
        rating: Rating {
            score: u8::try_from(score).map_err(|_| corrupt("rating score"))?,
            at: required_time(item, "rated_at")?,
        },
        assignee_id: get_s(item, "assignee_id").map(str::to_owned),
    })
}
