//! Every partition and sort key of both tables, and the classifier of a sort key: the one place
//! that knows how keys are spelled.
//!
//! BotTable (`pk`, `sk`):
//! - `USER#<telegram id>` / `USER`: a Telegram user, their link and dialogue state.
//! - `CONTACT#<id>` / `CONTACT`, `CLIENT#<id>` / `CLIENT`, `EMPLOYEE#<id>` / `EMPLOYEE`: the directory.
//! - `UPD#<update_id>` / `UPD`: the processed-update marker (with the response given).
//! - `TRY#<update_id>` / `TRY`: failed attempts at an update.
//! - `COUNTER#tickets` / `COUNTER`: the last ticket number.
//! - `ALBUM#<telegram id>#<media_group_id>` / `ALBUM`: where an album's parts go.
//! - `SENT#<notice key>` / `SENT`: a delivered notice.
//! - `FAILED#<notice key>` / `FAILED`: an undelivered notice kept for replay.
//! - `ONCE#<scope and Idempotency-Key>` / `ONCE`: a staff API creation's answer, kept a day.
//! - `MSG#<chat id>#<message id>` / `MSG`: the ticket a message the bot sent is about (a reply
//!   to it comments on that ticket), kept 90 days.
//! - `UPLOAD#<upload id>` / `UPLOAD`: a file a staff API client was given a URL to upload, kept a
//!   day; `used_by` once a ticket or comment took it.
//!
//! TicketsTable (`pk`, `sk`):
//! - `TICKET#<id>` / `TICKET`: the ticket.
//! - `TICKET#<id>` / `COMMENT#<comment id>`: a comment.
//! - `TICKET#<id>` / `ATT#<object key>`: an attachment.
//! - `TICKET#<id>` / `LOG#<time>#<n>`: a journal entry.
//! - `CALLBACK#<id>` / `CALLBACK`: a client's call-me request (the spelling predates the name).
//! - `RATING#<yyyy-mm>` / `RATING#<ticket id>`: a ticket's rating, under the month (UTC) it was given,
//!   so a summary of a period reads its months' partitions.
//!
//! TicketsTable indexes (all newest first by `created_at`, projecting whole items):
//! - [`BY_CONTACT`] (`contact_id`), [`BY_CLIENT`] (`client_id`): tickets alone.
//! - [`BY_STATUS`] (`status`): tickets under their status code (`new`, `done`, ...) and call-me
//!   requests under [`call_me_listing`] (`CALLBACK#<state>`), so no listing scans the table.
//! - [`BY_ASSIGNEE`] (`assignee_id`): tickets with an assignee, projecting what a list shows
//!   (`id`, `subject`, `status`).

use crate::domain::TelegramUserId;

/// A primary key: (`pk`, `sk`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    fn new(pk: String, sk: impl Into<String>) -> Self {
        Key { pk, sk: sk.into() }
    }
}

pub const USER: &str = "USER";
pub const CONTACT: &str = "CONTACT";
pub const CLIENT: &str = "CLIENT";
pub const EMPLOYEE: &str = "EMPLOYEE";
pub const TICKET: &str = "TICKET";
pub const CALL_ME: &str = "CALLBACK";
const UPDATE: &str = "UPD";
const ATTEMPTS: &str = "TRY";
const COUNTER: &str = "COUNTER";
const ALBUM: &str = "ALBUM";
const SENT: &str = "SENT";
pub const FAILED: &str = "FAILED";
const KEPT_RESULT: &str = "ONCE";
const UPLOAD: &str = "UPLOAD";
const MESSAGE: &str = "MSG";
const COMMENT: &str = "COMMENT#";
const ATTACHMENT: &str = "ATT#";
const JOURNAL: &str = "LOG#";

pub fn user(id: TelegramUserId) -> Key {
    Key::new(format!("{USER}#{id}"), USER)
}

pub fn contact(id: &str) -> Key {
    Key::new(format!("{CONTACT}#{id}"), CONTACT)
}

pub fn client(id: &str) -> Key {
    Key::new(format!("{CLIENT}#{id}"), CLIENT)
}

pub fn employee(id: &str) -> Key {
    Key::new(format!("{EMPLOYEE}#{id}"), EMPLOYEE)
}

pub fn update_marker(update_id: u64) -> Key {
    Key::new(format!("{UPDATE}#{update_id}"), UPDATE)
}

pub fn failed_attempts(update_id: u64) -> Key {
    Key::new(format!("{ATTEMPTS}#{update_id}"), ATTEMPTS)
}

pub fn upload(id: &str) -> Key {
    Key::new(format!("{UPLOAD}#{id}"), UPLOAD)
}

pub fn kept_result(key: &str) -> Key {
    Key::new(format!("{KEPT_RESULT}#{key}"), KEPT_RESULT)
}

pub fn ticket_counter() -> Key {
    Key::new(format!("{COUNTER}#tickets"), COUNTER)
}

/// Per chat: another chat's album may carry the same `media_group_id`.
pub fn album(user: TelegramUserId, media_group_id: &str) -> Key {
    Key::new(format!("{ALBUM}#{user}#{media_group_id}"), ALBUM)
}

pub fn sent_notice(notice_key: &str) -> Key {
    Key::new(format!("{SENT}#{notice_key}"), SENT)
}

/// Message ids are per chat: the same id in another chat is another message.
pub fn message_ticket(chat_id: i64, message_id: i64) -> Key {
    Key::new(format!("{MESSAGE}#{chat_id}#{message_id}"), MESSAGE)
}

pub fn failed_notice(notice_key: &str) -> Key {
    Key::new(format!("{FAILED}#{notice_key}"), FAILED)
}

/// The partition of a ticket and everything attached to it.
pub fn ticket_partition(id: u64) -> String {
    format!("{TICKET}#{id}")
}

/// The ticket a [`ticket_partition`] is of.
pub fn ticket_id_of(partition: &str) -> Option<u64> {
    partition.strip_prefix(TICKET)?.strip_prefix('#')?.parse().ok()
}

pub fn ticket(id: u64) -> Key {
    Key::new(ticket_partition(id), TICKET)
}

pub fn comment(ticket_id: u64, comment_id: &str) -> Key {
    Key::new(ticket_partition(ticket_id), format!("{COMMENT}{comment_id}"))
}

pub fn attachment(ticket_id: u64, object_key: &str) -> Key {
    Key::new(ticket_partition(ticket_id), format!("{ATTACHMENT}{object_key}"))
}

/// Journal entries sort by time; `tag` tells apart entries of one moment
/// ([`crate::ports::journal_tag`]).
pub fn journal(ticket_id: u64, at: &str, tag: &str) -> Key {
    Key::new(ticket_partition(ticket_id), format!("{JOURNAL}{at}#{tag}"))
}

pub fn call_me(id: &str) -> Key {
    Key::new(format!("{CALL_ME}#{id}"), CALL_ME)
}

const RATING: &str = "RATING";

/// `month`: `yyyy-mm`.
pub fn rating(month: &str, ticket_id: u64) -> Key {
    Key::new(rating_partition(month), format!("{RATING}#{ticket_id}"))
}

pub fn rating_partition(month: &str) -> String {
    format!("{RATING}#{month}")
}

pub const BY_CONTACT: &str = "ByContact";
pub const BY_CLIENT: &str = "ByClient";
pub const BY_STATUS: &str = "ByStatus";
pub const BY_ASSIGNEE: &str = "ByAssignee";

/// The [`BY_STATUS`] partition of the call-me requests in a state (`state`: its code).
pub fn call_me_listing(state: &str) -> String {
    format!("{CALL_ME}#{state}")
}

/// What kind of record a sort key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    User,
    Contact,
    Client,
    Employee,
    UpdateMarker,
    FailedAttempts,
    Counter,
    Album,
    SentNotice,
    FailedNotice,
    Ticket,
    Comment,
    Attachment,
    Journal,
    CallMe,
    KeptResult,
    Upload,
    Rating,
    Unknown,
}

/// Classifies a record by its sort key.
pub fn kind_of(sk: &str) -> Kind {
    match sk {
        USER => Kind::User,
        CONTACT => Kind::Contact,
        CLIENT => Kind::Client,
        EMPLOYEE => Kind::Employee,
        UPDATE => Kind::UpdateMarker,
        ATTEMPTS => Kind::FailedAttempts,
        COUNTER => Kind::Counter,
        ALBUM => Kind::Album,
        SENT => Kind::SentNotice,
        FAILED => Kind::FailedNotice,
        TICKET => Kind::Ticket,
        CALL_ME => Kind::CallMe,
        KEPT_RESULT => Kind::KeptResult,
        UPLOAD => Kind::Upload,
        _ if sk.starts_with(COMMENT) => Kind::Comment,
        _ if sk.starts_with(ATTACHMENT) => Kind::Attachment,
        _ if sk.starts_with(JOURNAL) => Kind::Journal,
        _ if sk.strip_prefix(RATING).is_some_and(|rest| rest.starts_with('#')) => Kind::Rating,
        _ => Kind::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_spelled_as_stored() {
        let cases = [
            (user(42), "USER#42", "USER"),
            (contact("c1"), "CONTACT#c1", "CONTACT"),
            (client("k1"), "CLIENT#k1", "CLIENT"),
            (employee("e1"), "EMPLOYEE#e1", "EMPLOYEE"),
            (update_marker(7), "UPD#7", "UPD"),
            (failed_attempts(7), "TRY#7", "TRY"),
            (ticket_counter(), "COUNTER#tickets", "COUNTER"),
            (album(42, "g1"), "ALBUM#42#g1", "ALBUM"),
            (sent_notice("ev#contact:c1"), "SENT#ev#contact:c1", "SENT"),
            (failed_notice("ev#contact:c1"), "FAILED#ev#contact:c1", "FAILED"),
            (ticket(12), "TICKET#12", "TICKET"),
            (comment(12, "c9"), "TICKET#12", "COMMENT#c9"),
            (attachment(12, "ab/x.jpg"), "TICKET#12", "ATT#ab/x.jpg"),
            (journal(12, "2026-11-26T10:00:00.000Z", "v3.0"), "TICKET#12", "LOG#2026-11-26T10:00:00.000Z#v3.0"),
            (call_me("r5"), "CALLBACK#r5", "CALLBACK"),
            (kept_result("POST /tickets#k-1"), "ONCE#POST /tickets#k-1", "ONCE"),
        ];
        assert_eq!(call_me_listing("new"), "CALLBACK#new");
        let rated = rating("2026-11", 12);
        assert_eq!((rated.pk.as_str(), rated.sk.as_str()), ("RATING#2026-11", "RATING#12"));
        assert_eq!(kind_of(&rated.sk), Kind::Rating);
        for (key, pk, sk) in cases {
            assert_eq!((key.pk.as_str(), key.sk.as_str()), (pk, sk));
        }
    }

    #[test]
    fn every_sort_key_is_classified() {
        let cases = [
            (user(1).sk, Kind::User),
            (contact("c").sk, Kind::Contact),
            (client("k").sk, Kind::Client),
            (employee("e").sk, Kind::Employee),
            (update_marker(1).sk, Kind::UpdateMarker),
            (failed_attempts(1).sk, Kind::FailedAttempts),
            (ticket_counter().sk, Kind::Counter),
            (album(1, "g").sk, Kind::Album),
            (sent_notice("n").sk, Kind::SentNotice),
            (failed_notice("n").sk, Kind::FailedNotice),
            (ticket(1).sk, Kind::Ticket),
            (comment(1, "c").sk, Kind::Comment),
            (attachment(1, "k").sk, Kind::Attachment),
            (journal(1, "t", "0").sk, Kind::Journal),
            (call_me("r").sk, Kind::CallMe),
            (kept_result("k").sk, Kind::KeptResult),
            ("TICKETS".to_owned(), Kind::Unknown),
            (String::new(), Kind::Unknown),
        ];
        for (sk, kind) in cases {
            assert_eq!(kind_of(&sk), kind, "{sk:?}");
        }
    }
}
