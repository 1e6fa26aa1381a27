//! Notifications: every change of a ticket, whoever made it, reaches the people concerned.
//!
//! The notifier reads the TicketsTable stream. A record is turned into a [`Change`] by the
//! Lambda function; [`notices()`] decides who hears what (pure); [`Dispatcher::handle_batch`]
//! works out what each record still owes and hands it to the [`Courier`], one lane per chat
//! (in order within a chat, the chats concurrently, paced below Telegram's flood limits by the
//! [`Pacer`]), and reports the first record one of whose notices was not delivered.
//!
//! Exactly once, as far as Telegram allows: each notice is keyed by the stream record's
//! `eventID` and the recipient ([`notice_key`]); a `SENT#` marker is written after the send
//! succeeds and checked before sending, so a redelivered record sends nothing twice. (A crash
//! between the send and the marker can still repeat one message; nothing stricter exists
//! without Telegram's help.)
//!
//! Every notice to a client carries the client's main menu as the change left it (their
//! tickets as the contact's index lists them, with the tickets the batch's records changed as
//! those records have them: the index may lag the write), built by the dialogue's own
//! [`crate::dialogue::main_menu`]: a ticket opened by staff brings the active menu, the last one completed 🧐.
//! That costs one `Query` per notice to a client (none for staff, none when nothing is owed).
//!
//! Every failure ends: 403 and 400 "chat not found" settle a notice for good; any other failure
//! stops its chat's lane, keeps what that lane still owes as `FAILED#` items, and hands its record
//! back to the stream (with the records after it: their delivered notices are marked sent and
//! not sent again), so that whatever the stream's retries come to, [`Courier::replay`] can
//! deliver it. A failure that is Telegram's, the token's or the store's stops every
//! lane.
//!
//! Laid out as its steps: `notices` (pure: the [`Change`], who hears what, the words, the cutting
//! into messages), `dispatcher` (what a batch's records owe), `courier` (the sending and what
//! became of each notice). The records of kept notices live beside their port
//! ([`crate::ports::FailedNotices`]).

mod courier;
mod dispatcher;
mod notices;
mod pacer;

#[cfg(test)]
mod delivery_tests;
#[cfg(test)]
mod tests;

pub use crate::ports::{FailedNotice, FailureReason, Outgoing};
pub use courier::{reserve_for, Courier, ReplayReport, Settled, Stop, TIME_TO_ANSWER, TIME_TO_KEEP};
pub use dispatcher::{Dispatcher, SeenTickets};
pub use notices::{
    escape, format_date, notice_key, notices, split_message, Change, Context, Notice, NoticeSettings, Recipient,
    Record, MAX_MESSAGE_CHARS,
};
pub use pacer::{Pacer, CHAT_SPAN, PER_CHAT, PER_SECOND};
