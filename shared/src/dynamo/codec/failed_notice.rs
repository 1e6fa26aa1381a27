//! `FAILED#<notice key>` / `FAILED`: a notice that did not reach its chat, kept for replay as it
//! was rendered (in its recipient's language, `lang`: its buttons are labelled in it), with why
//! and when it last failed.

use crate::dialogue::Press;
use crate::domain::TicketCounts;
use crate::dynamo::attr::*;
use crate::dynamo::keys;
use crate::ports::{FailedNotice, FailureReason, Outgoing, StoreError};
use crate::texts::Lang;

/// `expires_at`: when DynamoDB's TTL removes it (seconds since the epoch).
pub fn to_item(failed: &FailedNotice, expires_at: i64) -> Item {
    let notice = &failed.notice;
    let mut item = keyed(keys::failed_notice(&notice.key));
    item.extend([
        ("key".to_owned(), s(&notice.key)),
        ("user".to_owned(), n(notice.user)),
        ("html".to_owned(), s(&notice.html)),
        ("lang".to_owned(), s(notice.lang.code())),
        ("sequence".to_owned(), s(&notice.sequence)),
        ("reason".to_owned(), s(failed.reason.code())),
        ("detail".to_owned(), s(&failed.detail)),
        ("failed_at".to_owned(), time(failed.failed_at)),
        ("expires_at".to_owned(), n(expires_at)),
    ]);
    if let Some(url) = &notice.url {
        item.insert("url".to_owned(), s(url));
    }
    if let Some(request) = &notice.call_me {
        item.insert("call_me".to_owned(), s(request));
    }
    if let Some(ticket_id) = notice.rate {
        item.insert("rate".to_owned(), n(ticket_id));
    }
    if let Some(ticket) = notice.ticket {
        item.insert("ticket_id".to_owned(), n(ticket));
    }
    if let Some(menu) = notice.menu {
        item.insert("menu_active".to_owned(), n(menu.active));
        item.insert("menu_completed".to_owned(), n(menu.completed));
    }
    if !notice.actions.is_empty() {
        // Encoded presses hold no spaces.
        let actions: Vec<String> = notice.actions.iter().map(Press::encode).collect();
        item.insert("actions".to_owned(), s(actions.join(" ")));
    }
    if !notice.files.is_empty() {
        // Plain structs of strings: serialising cannot fail.
        item.insert("files".to_owned(), s(serde_json::to_string(&notice.files).unwrap_or_default()));
    }
    item
}

pub fn from_item(item: &Item) -> Result<FailedNotice, StoreError> {
    Ok(FailedNotice {
        notice: Outgoing {
            key: required_s(item, "key")?,
            user: required_u64(item, "user")?,
            html: required_s(item, "html")?,
            url: get_s(item, "url").map(str::to_owned),
            sequence: required_s(item, "sequence")?,
            call_me: get_s(item, "call_me").map(str::to_owned),
            rate: get_u64(item, "rate"),
            menu: match (get_u64(item, "menu_active"), get_u64(item, "menu_completed")) {
                (Some(active), Some(completed)) => Some(TicketCounts {
                    active: usize::try_from(active).map_err(|_| corrupt("menu counts"))?,
                    completed: usize::try_from(completed).map_err(|_| corrupt("menu counts"))?,
                }),
                _ => None,
            },
            ticket: get_u64(item, "ticket_id"),
            // Kept before languages: Russian, the only language then.
            lang: get_s(item, "lang").and_then(Lang::from_code).unwrap_or_default(),
            files: match get_s(item, "files") {
                None => vec![],
                Some(json) => serde_json::from_str(json).map_err(|_| corrupt("kept notice files"))?,
            },
            actions: get_s(item, "actions").unwrap_or_default().split_whitespace().filter_map(Press::parse).collect(),
        },
        reason: FailureReason::from_code(&required_s(item, "reason")?).ok_or_else(|| corrupt("failure reason"))?,
        detail: required_s(item, "detail")?,
        failed_at: required_time(item, "failed_at")?,
    })
}
