//! The ports the application talks through, each named for what it holds. Adapters: `dynamo`
//! (DynamoDB), `s3` (the attachments bucket), `telegram` (the Bot API); `test_util::memory`
//! implements the stores in memory for the fast tier, and `test_util::contract` holds the tests
//! both store adapters pass.

use crate::dialogue::{
    AlbumTarget, Effect, Manager, NewComment, NewRating, NewTicket, PhoneMatches, Reply, StaffComment, State,
    StoredFile, TicketSummary, UserRecord,
};
use crate::domain::{
    Actor, Attachment, AuthorKind, CallMeRequest, CallMeState, Client, Comment, Contact, Employee, JournalEntry, Link,
    TelegramUserId, Ticket, TicketCounts, TicketDetails, TicketStatus, BOT_SOURCE,
};
use crate::phone::Phone;
use crate::texts::Lang;
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
    /// The store refuses the request whatever the state of the data (an item over 400 KB, a
    /// transaction over 100 items): a retry is refused the same way.
    #[error(transparent)]
    Rejected(RefusedRequest),
}

/// The most bytes of text a store takes as (part of) a key. DynamoDB refuses an empty key
/// value, and a partition key over 2,048 bytes, with the prefixes the adapter adds: a request
/// naming a record by a longer (or empty) id is refused as [`StoreError::Rejected`], not
/// looked up. Callers validate ids where they enter; the memory store refuses the same.
pub const KEY_TEXT_MAX: usize = 2000;

/// What [`StoreError::Rejected`] says: the refusal in words, and the error it came from (the
/// SDK's) when there is one.
#[derive(Debug, thiserror::Error)]
#[error("the store refuses the request: {what}")]
pub struct RefusedRequest {
    pub what: String,
    #[source]
    pub source: Option<BoxError>,
}

impl StoreError {
    /// No retry can succeed.
    pub fn is_permanent(&self) -> bool {
        matches!(self, StoreError::Corrupt(_) | StoreError::Rejected(_))
    }

    /// A refusal with no error under it: a limit of the store checked before asking it (or the
    /// memory store's own).
    pub fn rejected(what: impl Into<String>) -> Self {
        StoreError::Rejected(RefusedRequest { what: what.into(), source: None })
    }

    /// A refusal the store answered with: `source` is its error.
    pub fn rejected_by(what: impl Into<String>, source: impl Into<BoxError>) -> Self {
        StoreError::Rejected(RefusedRequest { what: what.into(), source: Some(source.into()) })
    }
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
    /// The final reply as the webhook answers it, kept with the update's marker: a redelivery
    /// (our answer was lost on the way) answers the same.
    pub response: Option<String>,
}

/// A Telegram user as a notice to them needs them ([`UserStore::reach`]). A user without a
/// record is reachable, has no language kept and is linked to no one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    pub unreachable: bool,
    pub language: Option<crate::dialogue::Language>,
    /// The person the account is linked to now (none once they were deactivated, unlinked or
    /// linked to another account): a kept notice goes only to the account still theirs.
    pub person: Option<crate::domain::Person>,
}

/// Tells apart the journal entries of one ticket written at one moment: a staff write's by the
/// version it makes and the entry's place in it, a bot update's by its update id. Two writes in
/// one millisecond keep both their entries.
pub fn journal_tag(version: u64, place: usize) -> String {
    format!("v{version}.{place}")
}

/// The journal tag of the entries one Telegram update writes.
pub fn update_journal_tag(update_id: u64) -> String {
    update_id.to_string()
}

// ---- The records a commit's effects make (the same in every store) ------------------------

impl Effect {
    /// For a link effect: the link the user's record gets, and the Telegram account that held
    /// the directory entry when it was read.
    pub fn link(&self) -> Option<(Link, Option<TelegramUserId>)> {
        match self {
            Effect::LinkContact(c) => Some((
                Link::Contact {
                    contact_id: c.contact_id.clone(),
                    client_id: c.client_id.clone(),
                    name: c.name.clone(),
                },
                c.linked_user,
            )),
            Effect::LinkEmployee(e) => {
                Some((Link::Employee { employee_id: e.employee_id.clone(), name: e.name.clone() }, e.linked_user))
            }
            _ => None,
        }
    }
}

impl Commit<'_> {
    /// The language the user's record keeps after the commit: the one an effect sets, else the
    /// one it had.
    pub fn language(&self) -> Option<crate::dialogue::Language> {
        let set = self.effects.iter().rev().find_map(|effect| match effect {
            crate::dialogue::Effect::SetLanguage(language) => Some(*language),
            _ => None,
        });
        set.or(self.before.language)
    }

    /// The contact the update comes from (album parts touch only this contact's tickets).
    pub fn contact_id(&self) -> Option<&str> {
        match &self.before.link {
            Some(Link::Contact { contact_id, .. }) => Some(contact_id),
            _ => None,
        }
    }

    /// Whose comments the update's later album parts add to: the contact's, or the employee's
    /// (their staff comments are stored as theirs).
    pub fn author_id(&self) -> Option<&str> {
        match &self.before.link {
            Some(Link::Contact { contact_id, .. }) => Some(contact_id),
            Some(Link::Employee { employee_id, .. }) => Some(employee_id),
            None => None,
        }
    }

    /// Whether another effect of this commit writes the ticket (`comment_id: None`) or the
    /// comment that files are added to, on a condition of its own that includes ownership: a
    /// transaction may not both check and write one item.
    pub fn checks_owner_of(&self, ticket_id: u64, comment_id: Option<&str>) -> bool {
        self.effects.iter().any(|effect| match (effect, comment_id) {
            (Effect::SetSubject { ticket_id: t, .. }, None) => *t == ticket_id,
            (Effect::SetCommentText { ticket_id: t, comment_id: c, .. }, Some(id)) => *t == ticket_id && c == id,
            _ => false,
        })
    }
}

/// A ticket the bot made, as stored.
impl NewTicket {
    pub fn record(&self, now: DateTime<Utc>) -> Ticket {
        Ticket {
            id: self.id,
            subject: self.subject.clone(),
            message: self.message.clone(),
            status: TicketStatus::New,
            source: BOT_SOURCE.into(),
            client_id: self.client_id.clone(),
            contact_id: self.contact_id.clone(),
            assignee_id: None,
            assignee_name: None,
            deadline: None,
            created_at: now,
            updated_at: now,
            changed_by: Actor::Client(self.contact_id.clone()),
            version: 1,
            completed_at: None,
            low_score_told: None,
            rating: None,
        }
    }
}

/// A comment a client wrote in the bot, as stored.
impl NewComment {
    pub fn record(&self, now: DateTime<Utc>) -> Comment {
        Comment {
            id: self.comment_id.clone(),
            ticket_id: self.ticket_id,
            author_kind: AuthorKind::Client,
            author_id: self.contact_id.clone(),
            author_name: self.author_name.clone(),
            text: self.text.clone(),
            internal: false,
            created_at: now,
        }
    }
}

/// A comment an employee made by replying in Telegram, as stored.
impl StaffComment {
    pub fn record(&self, now: DateTime<Utc>) -> Comment {
        Comment {
            id: self.comment_id.clone(),
            ticket_id: self.ticket_id,
            author_kind: AuthorKind::Employee,
            author_id: self.employee_id.clone(),
            author_name: self.author_name.clone(),
            text: self.text.clone(),
            internal: self.internal,
            created_at: now,
        }
    }
}

/// A file as stored with a ticket (or one of its comments).
impl StoredFile {
    pub fn attachment(&self, comment_id: Option<&str>) -> Attachment {
        Attachment {
            name: self.name.clone(),
            content_type: self.content_type.clone(),
            size: self.size,
            key: self.key.clone(),
            comment_id: comment_id.map(str::to_owned),
        }
    }
}

/// Telegram users: who each is to the desk (their link), where their dialogue is, and whether
/// notifications reach them.
pub trait UserStore: Send + Sync {
    fn load_user(&self, user_id: TelegramUserId) -> impl Future<Output = Result<UserRecord, StoreError>> + Send;
    /// The response kept with a committed update's marker ([`Commit::response`]), if any.
    fn committed_response(&self, update_id: u64) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// Counts a failed attempt at an update (kept two days) and returns how many there were.
    fn count_failed_attempt(
        &self,
        update_id: u64,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u32, StoreError>> + Send;
    /// Applies a [`Commit`] atomically together with a marker for its update id.
    /// `Duplicate` when the marker exists, `Conflict` when the user record or a record an effect
    /// is conditioned on changed since read.
    fn commit(&self, commit: &Commit<'_>) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// What a notice to the user needs from their record, in one read: whether they can be
    /// reached, the language kept for them, and the person their account is linked to.
    fn reach(&self, user: TelegramUserId) -> impl Future<Output = Result<Reach, StoreError>> + Send;
    /// Until the user writes to the bot again (their next committed update rewrites the record).
    /// A user without a record has nothing to mark.
    fn mark_unreachable(&self, user: TelegramUserId) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Where the parts of albums go, as the part that arrived first decided (written by
/// [`UserStore::commit`] with [`Effect::ClaimAlbum`]).
pub trait AlbumClaims: Send + Sync {
    /// The claim of `user`'s album: albums are per chat, so another chat's parts that carry the
    /// same `media_group_id` never follow it.
    fn album_claim(
        &self,
        user: TelegramUserId,
        album: &str,
    ) -> impl Future<Output = Result<Option<AlbumTarget>, StoreError>> + Send;
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
    /// Telegram refuses to hand the file over (an invalid `file_id`, a file gone): a retry is
    /// refused the same way.
    #[error("Telegram refused the file: {0}")]
    Refused(String),
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
    /// Stores the contact as given, on condition that its Telegram link is still `linked_as_read`.
    /// The account linked as read keeps the link (its copy gets the new name and company) if
    /// `contact.telegram_user` names it, and loses it on both sides otherwise.
    fn put_contact(
        &self,
        contact: &Contact,
        linked_as_read: Option<TelegramUserId>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Contact, StoreError>> + Send;
    /// The contacts of `ids` that exist, by id (batched reads: an import's).
    fn get_contacts(
        &self,
        ids: &[String],
    ) -> impl Future<Output = Result<std::collections::HashMap<String, Contact>, StoreError>> + Send;
    /// The contacts and the clients of these ids that exist, by id: a batch of notices' names,
    /// in one batch read where the store can.
    fn get_entries(
        &self,
        contacts: &[String],
        clients: &[String],
    ) -> impl Future<Output = Result<Entries, StoreError>> + Send {
        async move {
            let mut found = Entries { contacts: self.get_contacts(contacts).await?, ..Entries::default() };
            for id in clients {
                if let Some(client) = self.get_client(id).await? {
                    found.clients.insert(id.clone(), client);
                }
            }
            Ok(found)
        }
    }
    /// [`Directory::put_contact`] for at most [`PUT_CONTACTS_MAX`] distinct contacts (each with
    /// its link as read) in one write: all or nothing (`Conflict` if any link is not as read).
    fn put_contacts(
        &self,
        contacts: &[(Contact, Option<TelegramUserId>)],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Contact>, StoreError>> + Send;
    fn get_employee(&self, id: &str) -> impl Future<Output = Result<Option<Employee>, StoreError>> + Send;
    /// As [`Directory::put_contact`], for an employee.
    fn put_employee(
        &self,
        employee: &Employee,
        linked_as_read: Option<TelegramUserId>,
    ) -> impl Future<Output = Result<Employee, StoreError>> + Send;
    /// The contacts and employees with this phone, sorted by id. Company names are filled in
    /// only when more than one active contact matches (the user must then choose).
    fn find_by_phone(&self, phone: &Phone) -> impl Future<Output = Result<PhoneMatches, StoreError>> + Send;

    /// The client's account manager, if it has one.
    fn manager(&self, client_id: &str) -> impl Future<Output = Result<Option<Manager>, StoreError>> + Send {
        async move {
            let Some(manager_id) = self.get_client(client_id).await?.and_then(|c| c.manager_id) else {
                return Ok(None);
            };
            let employee = self.get_employee(&manager_id).await?;
            Ok(employee.map(|e| Manager { employee_id: e.id, linked: e.active && e.telegram_user.is_some() }))
        }
    }
}

/// Why a message did not reach its chat, sorted by what the sender does about it. Only
/// [`SendError::is_final`] ones settle the message; after any other, the same message may go
/// through later.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// 403: the user blocked the bot (or never started it). Final for this recipient.
    #[error("the recipient blocked the bot")]
    Blocked,
    /// 400 "chat not found": the chat is gone (a deleted account). Final for this recipient.
    #[error("the chat does not exist")]
    ChatNotFound,
    /// 429: wait this many seconds before the next message.
    #[error("rate limited, retry after {0} s")]
    RetryAfter(u32),
    /// Telegram answered with another error: 401 (the token was revoked), 404 (a wrong API
    /// URL), another 4xx (a text it cannot parse), 5xx. Fixing the cause (a deploy with the new
    /// token, the right URL, the text) or Telegram coming back lets it through.
    #[error("Telegram answered {status}: {description}")]
    Refused { status: u16, description: String },
    /// No answer within the client's timeouts.
    #[error("Telegram did not answer in time")]
    TimedOut,
    /// Something answered that is not the Bot API (a proxy's error page, a wrong host).
    #[error("the answer is not the Bot API's: {0}")]
    BadAnswer(String),
    /// The request did not get through (DNS, connection, TLS).
    #[error("Telegram unreachable")]
    Unavailable(#[source] BoxError),
}

impl SendError {
    /// A retry meets the same answer: the message is settled without reaching the chat.
    pub fn is_final(&self) -> bool {
        matches!(self, SendError::Blocked | SendError::ChatNotFound)
    }
}

/// Sends messages to Telegram chats.
pub trait Messenger: Send + Sync {
    /// Sends a reply; the id of the message it made, when it made one (an answer to a button
    /// press makes none), so that a reply to it can be told apart ([`MessageTickets`]).
    fn send(&self, chat_id: i64, reply: &Reply) -> impl Future<Output = Result<Option<i64>, SendError>> + Send;
    /// The reply as the body of a webhook response: the call the messenger carries out itself
    /// when it receives the answer.
    fn render(&self, chat_id: i64, reply: &Reply) -> String;
}

/// Which tickets `list_tickets` returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFilter {
    pub contact_id: Option<String>,
    pub client_id: Option<String>,
    pub status: Option<TicketStatus>,
    /// Rated by their client (`true`) or not.
    pub rated: Option<bool>,
}

impl TicketFilter {
    pub fn matches(&self, ticket: &Ticket) -> bool {
        self.contact_id.as_ref().is_none_or(|c| c == &ticket.contact_id)
            && self.client_id.as_ref().is_none_or(|c| c == &ticket.client_id)
            && self.status.is_none_or(|s| s == ticket.status)
            && self.rated.is_none_or(|rated| rated == ticket.rating.is_some())
    }
}

/// A place in a newest-first listing: the last record a page showed. Listings order by
/// creation time, then by id (longer ids after shorter ones, so ticket numbers order as numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub at: DateTime<Utc>,
    pub id: String,
}

impl Position {
    /// Newest first: `Less` when `self` is listed before `other`.
    pub fn listing_order(&self, other: &Position) -> std::cmp::Ordering {
        (other.at, other.id.len(), &other.id).cmp(&(self.at, self.id.len(), &self.id))
    }

    /// Whether `self` is listed after `cursor` (on a later page).
    pub fn is_after(&self, cursor: Option<&Position>) -> bool {
        cursor.is_none_or(|c| c.listing_order(self).is_lt())
    }
}

/// Records that are listed in pages.
pub trait Listed {
    fn position(&self) -> Position;
}

impl Listed for Ticket {
    fn position(&self) -> Position {
        Position { at: self.created_at, id: self.id.to_string() }
    }
}

impl Listed for CallMeRequest {
    fn position(&self) -> Position {
        Position { at: self.created_at, id: self.id.clone() }
    }
}

/// One page of a listing; `next` is where the next page starts (`None`: this was the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Position>,
}

impl<T: Listed> Page<T> {
    /// The first `limit` of `candidates` after `cursor` in listing order; `next` is set when
    /// more remain (`more`: the source holds records it did not give).
    pub fn cut(mut candidates: Vec<T>, cursor: Option<&Position>, limit: usize, more: bool) -> Page<T> {
        candidates.retain(|c| c.position().is_after(cursor));
        candidates.sort_by(|a, b| a.position().listing_order(&b.position()));
        candidates.dedup_by(|a, b| a.position() == b.position());
        let more = more || candidates.len() > limit;
        candidates.truncate(limit);
        let next = if more { candidates.last().map(Listed::position) } else { None };
        Page { items: candidates, next }
    }
}

/// The most records one page of a listing holds.
pub const PAGE_MAX: usize = 200;

impl NewRating {
    /// The journal's entry of the score (`4`, or `2 → 5` when it changed).
    pub fn journal_entry(&self, now: DateTime<Utc>) -> JournalEntry {
        let details = match self.previous {
            Some(previous) => format!("{} → {}", previous.score, self.score),
            None => self.score.to_string(),
        };
        JournalEntry::new(now, "rated", Actor::Client(self.contact_id.clone()), &details)
    }

    /// The rating as the summary counts it.
    pub fn work(&self, now: DateTime<Utc>) -> RatedWork {
        RatedWork {
            ticket_id: self.ticket_id,
            rating: crate::domain::Rating { score: self.score, at: now },
            assignee_id: self.assignee_id.clone(),
        }
    }
}

/// A ticket's rating with whose work it rated: what the summary per assignee counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatedWork {
    pub ticket_id: u64,
    pub rating: crate::domain::Rating,
    pub assignee_id: Option<String>,
}

/// The longest period one ratings summary covers (its months are read one by one).
pub const RATINGS_PERIOD_MAX_DAYS: i64 = 366;

/// Directory entries read together ([`Directory::get_entries`]), by id.
#[derive(Debug, Default)]
pub struct Entries {
    pub contacts: std::collections::HashMap<String, Contact>,
    pub clients: std::collections::HashMap<String, Client>,
}

/// The most contacts one [`Directory::put_contacts`] takes (each may need two of a
/// transaction's 100 items).
pub const PUT_CONTACTS_MAX: usize = 50;

/// Tickets with their comments, attachments and journal: what the bot, the staff API and the
/// notifier read and write.
pub trait TicketStore: Send + Sync {
    /// Allocates the next ticket number (atomic; a number taken by a failed attempt is a gap).
    fn next_ticket_id(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// The ticket as it is now (a consistent read).
    fn ticket(&self, id: u64) -> impl Future<Output = Result<Option<Ticket>, StoreError>> + Send;
    /// A comment of the ticket as it is now (a consistent read); `None` when it is not there.
    fn comment(
        &self,
        ticket_id: u64,
        comment_id: &str,
    ) -> impl Future<Output = Result<Option<Comment>, StoreError>> + Send;
    /// The contact's tickets, newest first (from an index: may lag a write by a moment).
    fn contact_tickets(&self, contact_id: &str) -> impl Future<Output = Result<Vec<TicketSummary>, StoreError>> + Send;
    /// The active tickets assigned to the employee, newest first (from an index, as
    /// [`TicketStore::contact_tickets`]).
    fn assigned_tickets(
        &self,
        employee_id: &str,
    ) -> impl Future<Output = Result<Vec<TicketSummary>, StoreError>> + Send;
    /// Stores a new ticket with its journal entries; `Conflict` if the id is taken. With `once`,
    /// the request's result is kept in the same write: `Duplicate` (and nothing written) if a
    /// live result is kept under its key already.
    fn create_ticket(
        &self,
        ticket: &Ticket,
        journal: &[JournalEntry],
        once: Option<&KeptResult>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        async move { self.create_ticket_with(ticket, journal, once, &Attached::default()).await }
    }
    /// [`TicketStore::create_ticket`] with files: their attachments, and their uploads marked
    /// used (`Conflict`, nothing written, if one was used meanwhile).
    fn create_ticket_with(
        &self,
        ticket: &Ticket,
        journal: &[JournalEntry],
        once: Option<&KeptResult>,
        attached: &Attached,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The ticket with its comments (oldest first), attachments and journal.
    fn ticket_details(&self, id: u64) -> impl Future<Output = Result<Option<TicketDetails>, StoreError>> + Send;
    /// A page of the tickets that match, newest first, after `cursor`; from indexes (never a
    /// scan): it may lag a write by a moment. `limit` is at most [`PAGE_MAX`].
    fn list_tickets(
        &self,
        filter: &TicketFilter,
        cursor: Option<&Position>,
        limit: usize,
    ) -> impl Future<Output = Result<Page<Ticket>, StoreError>> + Send;
    /// Replaces the ticket's changeable fields if its version is still `ticket.version - 1`
    /// (`Conflict` otherwise), with the journal entries, in one write.
    fn update_ticket(
        &self,
        ticket: &Ticket,
        journal: &[JournalEntry],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The ratings given from `from` until before `to` (a period of at most
    /// [`RATINGS_PERIOD_MAX_DAYS`]), each ticket's latest, in no set order.
    fn ratings(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<RatedWork>, StoreError>> + Send;
    /// Adds a comment to an existing ticket (`Conflict` if there is no such ticket); `once` as
    /// for [`TicketStore::create_ticket`].
    fn add_comment(
        &self,
        comment: &Comment,
        once: Option<&KeptResult>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        async move { self.add_comment_with(comment, once, &Attached::default()).await }
    }
    /// [`TicketStore::add_comment`] with files, as [`TicketStore::create_ticket_with`].
    fn add_comment_with(
        &self,
        comment: &Comment,
        once: Option<&KeptResult>,
        attached: &Attached,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// A staff API creation's answer, kept under its `Idempotency-Key` with the write it answers
/// (in one transaction), so a repeat finds the first answer and never a second write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptResult {
    /// The request's scope and key (method, path and the header's value): one key on two paths
    /// is two requests.
    pub key: String,
    /// A hash of the request's body: the same key with another body is refused.
    pub request_hash: String,
    pub status: u16,
    /// The answer's JSON, as sent.
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// After this the key may be used again (DynamoDB's TTL removes the item later).
    pub expires_at: DateTime<Utc>,
}

/// A file a staff API client was given a presigned URL to upload (`POST /uploads`), until a
/// ticket or comment takes it (`used_by`: `ticket:<id>` or `comment:<ticket id>/<comment id>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub id: String,
    pub name: String,
    pub content_type: String,
    /// The size declared, which the URL is signed for.
    pub size: u64,
    /// Where the client puts it in the attachments bucket.
    pub key: String,
    pub created_at: DateTime<Utc>,
    /// After this nothing may take it (the record is then removed by DynamoDB's TTL); whole
    /// seconds, the TTL's unit.
    pub expires_at: DateTime<Utc>,
    pub used_by: Option<String>,
}

/// Uploads through the staff API: their records (the objects are in the bucket).
pub trait Uploads: Send + Sync {
    fn put_upload(&self, upload: &Upload) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The records of `ids` there are (consistent reads), in no set order.
    fn uploads(&self, ids: &[String]) -> impl Future<Output = Result<Vec<Upload>, StoreError>> + Send;
}

/// Files a staff API creation takes: stored where its attachments are, and the uploads they
/// came from (marked used in the same write, on condition that they were not).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attached {
    pub files: Vec<StoredFile>,
    pub uploads: Vec<String>,
}

/// Results kept by [`TicketStore::create_ticket`] and [`TicketStore::add_comment`].
pub trait KeptResults: Send + Sync {
    /// The result kept under `key`, unless it expired by `now` (a consistent read).
    fn kept_result(
        &self,
        key: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<KeptResult>, StoreError>> + Send;
}

/// Clients' requests to be called back by their account manager (written by
/// [`UserStore::commit`] with [`Effect::RequestCallMe`]).
pub trait CallMeRequests: Send + Sync {
    /// A page of the requests in `states`, newest first, after `cursor` (from an index; it may
    /// lag a write by a moment).
    fn call_me_requests(
        &self,
        states: &[CallMeState],
        cursor: Option<&Position>,
        limit: usize,
    ) -> impl Future<Output = Result<Page<CallMeRequest>, StoreError>> + Send;
    /// The contact's newest open request made at `since` or later, if any (from an index).
    fn open_call_me(
        &self,
        contact_id: &str,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<CallMeRequest>, StoreError>> + Send;
    /// The request (a consistent read).
    fn call_me(&self, id: &str) -> impl Future<Output = Result<Option<CallMeRequest>, StoreError>> + Send;
    /// The request reached the manager (unless it is done already; nothing if there is none).
    fn mark_call_me_notified(&self, id: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Staff called the client back: the request is done (`Conflict` if there is no such
    /// request; a request done already keeps its first `done`).
    fn mark_call_me_done(
        &self,
        id: &str,
        at: DateTime<Utc>,
        by: &Actor,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Which notices were delivered, so that a redelivered stream record sends nothing twice.
pub trait SentNotices: Send + Sync {
    fn already_sent(&self, key: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;
    fn mark_sent(&self, key: &str, now: DateTime<Utc>) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// What a delivered notice leaves behind, in one write where the store can: its `SENT#`
/// marker, its kept copy forgotten, and which ticket each of its messages (chat, message id,
/// ticket) is about.
pub trait Deliveries: SentNotices + FailedNotices + MessageTickets + UserStore {
    /// Which of `keys` are marked sent, and the reach of each of `users`: what addressing a
    /// batch's notices needs, in one batch read where the store can.
    fn sent_and_reaches(
        &self,
        keys: &[String],
        users: &[TelegramUserId],
    ) -> impl Future<
        Output = Result<
            (std::collections::HashSet<String>, std::collections::HashMap<TelegramUserId, Reach>),
            StoreError,
        >,
    > + Send {
        async move {
            let mut sent = std::collections::HashSet::new();
            for key in keys {
                if self.already_sent(key).await? {
                    sent.insert(key.clone());
                }
            }
            let mut reaches = std::collections::HashMap::new();
            for user in users {
                reaches.insert(*user, self.reach(*user).await?);
            }
            Ok((sent, reaches))
        }
    }

    fn settle(
        &self,
        key: &str,
        now: DateTime<Utc>,
        messages: &[(i64, i64, u64)],
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        async move {
            self.mark_sent(key, now).await?;
            self.forget(key).await?;
            for (chat, message, ticket) in messages {
                self.remember_message(*chat, *message, *ticket, now).await?;
            }
            Ok(())
        }
    }
}

/// A notice on its way: rendered, addressed to a Telegram user, keyed for its markers. What is
/// sent, and what is kept when it cannot be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// [`crate::notify::notice_key`].
    pub key: String,
    /// The Telegram user whose private chat with the bot it goes to.
    pub user: TelegramUserId,
    pub html: String,
    pub url: Option<String>,
    /// The stream record's sequence number: kept notices are replayed in this order.
    pub sequence: String,
    /// The call-me request that its delivery reports as notified.
    pub call_me: Option<String>,
    /// For a client: their tickets as the change left them, which decide the main menu the
    /// notice sets ([`crate::dialogue::main_menu`]).
    pub menu: Option<TicketCounts>,
    /// The ticket whose score buttons it carries (instead of a menu).
    pub rate: Option<u64>,
    /// The ticket the notice is about: its messages are remembered as about it, so a reply to
    /// one comments on it ([`MessageTickets`]).
    pub ticket: Option<u64>,
    /// The recipient's language: the notice is rendered in it, and so are its buttons.
    pub lang: Lang,
    /// Files to send (the `html` is then empty): by `file_id` when Telegram has them, else
    /// uploaded from the attachments bucket.
    pub files: Vec<crate::dialogue::StoredFile>,
    /// For an employee: the staff buttons the ticket offered them when the notice was made
    /// ([`crate::dialogue::staff_presses`]), beside «📋 Карточка».
    pub actions: Vec<crate::dialogue::Press>,
}

/// A notice whose record was handed back to the stream, kept so that a later attempt or the
/// replay delivers it whatever the stream's retries come to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedNotice {
    pub notice: Outgoing,
    pub reason: FailureReason,
    /// What failed, in words: Telegram's description, the network trouble, or the failed record
    /// it was held back behind. Never the token.
    pub detail: String,
    /// When it last failed.
    pub failed_at: DateTime<Utc>,
}

/// Why a notice did not reach its chat: the `Reason` of the `NotificationsFailed` metric, and
/// what a kept notice says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureReason {
    /// 403, final: the recipient is marked unreachable.
    Blocked,
    /// 400 "chat not found", final.
    ChatNotFound,
    /// 429 for longer than the invocation could wait.
    RateLimited,
    /// 401: the bot's token was revoked (deploy the new one).
    Unauthorized,
    /// 404: `TELEGRAM_API_URL` is wrong.
    WrongUrl,
    /// Another 4xx: Telegram refuses this message (a text it cannot parse, say).
    Refused,
    /// 5xx: Telegram is in trouble.
    ServerError,
    /// No answer within the client's timeouts.
    Timeout,
    /// Something other than the Bot API answered.
    BadAnswer,
    /// The request did not get through.
    Network,
    /// The store failed: reading who hears what, or recording a delivery.
    Storage,
    /// Too little of the invocation was left to start a send.
    OutOfTime,
}

impl FailureReason {
    pub const ALL: [FailureReason; 12] = [
        FailureReason::Blocked,
        FailureReason::ChatNotFound,
        FailureReason::RateLimited,
        FailureReason::Unauthorized,
        FailureReason::WrongUrl,
        FailureReason::Refused,
        FailureReason::ServerError,
        FailureReason::Timeout,
        FailureReason::BadAnswer,
        FailureReason::Network,
        FailureReason::Storage,
        FailureReason::OutOfTime,
    ];

    pub fn of(error: &SendError) -> Self {
        match error {
            SendError::Blocked => FailureReason::Blocked,
            SendError::ChatNotFound => FailureReason::ChatNotFound,
            SendError::RetryAfter(_) => FailureReason::RateLimited,
            SendError::Refused { status: 401, .. } => FailureReason::Unauthorized,
            SendError::Refused { status: 404, .. } => FailureReason::WrongUrl,
            SendError::Refused { status: 500.., .. } => FailureReason::ServerError,
            SendError::Refused { .. } => FailureReason::Refused,
            SendError::TimedOut => FailureReason::Timeout,
            SendError::BadAnswer(_) => FailureReason::BadAnswer,
            SendError::Unavailable(_) => FailureReason::Network,
        }
    }

    /// As stored and as the metric's dimension.
    pub fn code(self) -> &'static str {
        match self {
            FailureReason::Blocked => "blocked",
            FailureReason::ChatNotFound => "chat_not_found",
            FailureReason::RateLimited => "rate_limited",
            FailureReason::Unauthorized => "unauthorized",
            FailureReason::WrongUrl => "wrong_url",
            FailureReason::Refused => "refused",
            FailureReason::ServerError => "server_error",
            FailureReason::Timeout => "timeout",
            FailureReason::BadAnswer => "bad_answer",
            FailureReason::Network => "network",
            FailureReason::Storage => "storage",
            FailureReason::OutOfTime => "out_of_time",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.code() == code)
    }

    /// Whether the failure concerns this one message (the replay goes on with the others)
    /// rather than Telegram, the token or the time left (the replay stops).
    pub fn is_about_one_message(self) -> bool {
        self == FailureReason::Refused
    }
}

/// Notices that did not reach their chats, kept (14 days) for a later attempt or the replay;
/// a delivery forgets them.
pub trait FailedNotices: Send + Sync {
    /// Keeps the notice under its key, replacing what was kept there.
    fn keep(&self, failed: &FailedNotice) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Every kept notice, in no particular order.
    fn kept(&self) -> impl Future<Output = Result<Vec<FailedNotice>, StoreError>> + Send;
    /// Forgetting a notice that is not kept is no error.
    fn forget(&self, key: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Links to stored files for staff.
pub trait FileLinks: Send + Sync {
    /// A time-limited GET link to an object.
    fn link(&self, key: &str) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// A time-limited PUT link for an object of exactly `size` bytes of `content_type` (both
    /// signed: S3 refuses another length or type).
    fn upload_link(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        valid_for: std::time::Duration,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// The size of the object at `key`, if there is one.
    fn stored_size(&self, key: &str) -> impl Future<Output = Result<Option<u64>, StoreError>> + Send;
    /// Copies an object within the bucket (server-side: nothing passes through the function),
    /// of `content_type`, named `name` for downloads.
    fn copy(
        &self,
        from: &str,
        to: &str,
        content_type: &str,
        name: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Which ticket each message the bot sent through the Bot API is about (its notices), so that a
/// Telegram reply to one of them is about that ticket. Keyed by chat and message id (message ids
/// are per chat); remembered for [`MESSAGE_TICKET_DAYS`] days.
pub trait MessageTickets: Send + Sync {
    /// Remembers that message `message_id` in `chat_id` is about `ticket_id`; remembering it
    /// again replaces it (retries are harmless).
    fn remember_message(
        &self,
        chat_id: i64,
        message_id: i64,
        ticket_id: u64,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The ticket the message `message_id` in `chat_id` is about (the bot's notice, or the
    /// client's message that became the ticket or a comment), if it remembers one, with the
    /// message's last correction (a consistent read).
    fn message_ticket(
        &self,
        chat_id: i64,
        message_id: i64,
    ) -> impl Future<Output = Result<Option<RememberedMessage>, StoreError>> + Send;
}

/// What the bot remembers of a message: the ticket it is about and, for a client's message
/// corrected by editing it, the comment its last correction is and when that was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RememberedMessage {
    pub ticket_id: u64,
    pub correction: Option<(String, DateTime<Utc>)>,
}

impl RememberedMessage {
    pub fn of(ticket_id: u64) -> Self {
        RememberedMessage { ticket_id, correction: None }
    }
}

/// How long the bot remembers which ticket a message of its is about (DynamoDB's TTL removes it
/// after): a reply to an older notice is an ordinary message.
pub const MESSAGE_TICKET_DAYS: i64 = 90;

/// How long the bot remembers which ticket a client's own message became: the edit window
/// ([`crate::dialogue::EDIT_WINDOW_HOURS`]) and a day's margin (the dialogue checks the window
/// against the message's date; DynamoDB's TTL removes the item some time after).
pub const MESSAGE_EDITS_KEPT_HOURS: i64 = crate::dialogue::EDIT_WINDOW_HOURS + 24;
