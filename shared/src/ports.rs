//! The ports the application talks through. Adapters: `dynamo` (DynamoDB), `telegram` (Bot API);
//! in-memory fakes live with the tests that use them.

use crate::dialogue::{AlbumTarget, Effect, PhoneMatches, Reply, State, TicketSummary, UserRecord};
use crate::domain::{
    Client, Comment, Contact, Employee, JournalEntry, TelegramUserId, Ticket, TicketDetails, TicketStatus,
};
use crate::phone::Phone;
use chrono::{DateTime, Utc};
use std::future::Future;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The update's marker exists: this delivery is a repeat of one already committed.
    #[error("the update was handled already")]
    Duplicate,
    /// A condition on the current state failed (a concurrent change); re-read and decide again.
    #[error("the record changed concurrently")]
    Conflict,
    /// The store could not be reached or refused for a while; a retry may succeed.
    #[error("storage unavailable")]
    Unavailable(#[source] BoxError),
    /// A stored item does not have the shape this code writes.
    #[error("stored item is malformed: {0}")]
    Corrupt(String),
}

/// Everything one update changes, committed at once or not at all.
#[derive(Debug)]
pub struct Commit<'a> {
    pub update_id: u64,
    pub user_id: TelegramUserId,
    pub chat_id: i64,
    /// The record as read; the commit is conditional on its version.
    pub before: &'a UserRecord,
    pub state: &'a State,
    pub effects: &'a [Effect],
    pub now: DateTime<Utc>,
}

/// Telegram users, their links and dialogue state, and the directory lookups the dialogue needs.
pub trait UserStore: Send + Sync {
    fn load_user(&self, user_id: TelegramUserId) -> impl Future<Output = Result<UserRecord, StoreError>> + Send;
    fn find_by_phone(&self, phone: &Phone) -> impl Future<Output = Result<PhoneMatches, StoreError>> + Send;
    /// Applies a [`Commit`] atomically together with a marker for its update id.
    /// `Duplicate` when the marker exists, `Conflict` when the user record changed since read.
    fn commit(&self, commit: &Commit<'_>) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Allocates the next ticket number (atomic; a number taken by a failed attempt is a gap).
    fn next_ticket_id(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;
    fn ticket(&self, id: u64) -> impl Future<Output = Result<Option<Ticket>, StoreError>> + Send;
    /// The client's account manager, if it has one.
    fn manager(
        &self,
        client_id: &str,
    ) -> impl Future<Output = Result<Option<crate::dialogue::Manager>, StoreError>> + Send;
    /// Where an album's parts go, if a part claimed it already.
    fn album_claim(&self, album: &str) -> impl Future<Output = Result<Option<AlbumTarget>, StoreError>> + Send;
}

/// Reads about tickets that the dialogue needs.
pub trait TicketReader: Send + Sync {
    /// The contact's tickets, newest first.
    fn contact_tickets(&self, contact_id: &str) -> impl Future<Output = Result<Vec<TicketSummary>, StoreError>> + Send;
}

/// The attachments bucket.
pub trait FileStore: Send + Sync {
    /// Stores an object; writing the same key again replaces it (retries are harmless).
    fn put_file(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
        original_name: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// Telegram does not hand bots files over 20 MB.
    #[error("the file is too large to download")]
    TooLarge,
    #[error("the file could not be downloaded")]
    Unavailable(#[source] BoxError),
}

/// Files users sent, fetched from Telegram.
pub trait FileSource: Send + Sync {
    fn download(&self, file_id: &str) -> impl Future<Output = Result<Vec<u8>, DownloadError>> + Send;
}

/// The directory of clients, contacts and employees, as the staff API changes it.
pub trait Directory: Send + Sync {
    fn get_client(&self, id: &str) -> impl Future<Output = Result<Option<Client>, StoreError>> + Send;
    fn put_client(&self, client: &Client) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn get_contact(&self, id: &str) -> impl Future<Output = Result<Option<Contact>, StoreError>> + Send;
    /// Stores the contact's fields (not its Telegram link). A contact that is inactive is unlinked;
    /// a linked one has its user's link updated to the new name and client.
    fn put_contact(
        &self,
        contact: &Contact,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Contact, StoreError>> + Send;
    fn get_employee(&self, id: &str) -> impl Future<Output = Result<Option<Employee>, StoreError>> + Send;
    fn put_employee(&self, employee: &Employee) -> impl Future<Output = Result<Employee, StoreError>> + Send;
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// 403: the user blocked the bot (or never started it). Retrying is wrong.
    #[error("the recipient blocked the bot")]
    Blocked,
    /// 429: wait this many seconds before the next message.
    #[error("rate limited, retry after {0} s")]
    RetryAfter(u32),
    /// Telegram refused the request itself (400 and the like): a retry sends the same refusal.
    #[error("Telegram refused the message: {0}")]
    Refused(String),
    /// Network trouble or a 5xx: a retry may succeed.
    #[error("Telegram unavailable")]
    Unavailable(#[source] BoxError),
}

/// Sends messages to Telegram chats.
pub trait Messenger: Send + Sync {
    fn send(&self, chat_id: i64, reply: &Reply) -> impl Future<Output = Result<(), SendError>> + Send;
}

/// Which tickets `list_tickets` returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFilter {
    pub contact_id: Option<String>,
    pub client_id: Option<String>,
    pub status: Option<TicketStatus>,
}

/// Tickets as the staff API changes them.
pub trait TicketStore: Send + Sync {
    /// Allocates the next ticket number (the same counter the bot uses).
    fn allocate_id(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Stores a new ticket with its journal entries.
    fn create_ticket(
        &self,
        ticket: &Ticket,
        journal: &[JournalEntry],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn ticket_details(&self, id: u64) -> impl Future<Output = Result<Option<TicketDetails>, StoreError>> + Send;
    /// Newest first.
    fn list_tickets(&self, filter: &TicketFilter) -> impl Future<Output = Result<Vec<Ticket>, StoreError>> + Send;
    /// Replaces the ticket's changeable fields if its version is still `ticket.version - 1`
    /// (`Conflict` otherwise), with the journal entries, in one write.
    fn update_ticket(
        &self,
        ticket: &Ticket,
        journal: &[JournalEntry],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn add_comment(&self, comment: &Comment) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Call-back requests, newest first.
    fn call_me_requests(&self)
        -> impl Future<Output = Result<Vec<crate::domain::CallMeRequest>, StoreError>> + Send;
}

/// Links to stored files for staff.
pub trait FileLinks: Send + Sync {
    /// A time-limited GET link to an object.
    fn link(&self, key: &str) -> impl Future<Output = Result<String, StoreError>> + Send;
}
