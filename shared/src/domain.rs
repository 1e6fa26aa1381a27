//! The service desk's records as the bot and the staff API see them.

use crate::phone::Phone;
use serde::{Deserialize, Serialize};

/// A Telegram user id (equal to the chat id of the private chat with the bot).
pub type TelegramUserId = u64;

/// A client company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub id: String,
    pub name: String,
    pub manager_id: Option<String>,
    pub vip: bool,
}

/// A contact person of a client company: the people who use the bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: String,
    pub name: String,
    pub phone: Phone,
    pub client_id: String,
    pub active: bool,
    /// The Telegram account linked to this contact, if any.
    pub telegram_user: Option<TelegramUserId>,
}

/// An employee of the service desk (assignees, account managers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employee {
    pub id: String,
    pub name: String,
    pub phone: Option<Phone>,
    pub telegram_user: Option<TelegramUserId>,
}

/// Who a Telegram user is to the service desk. Kept on the user's own record so that one read
/// answers "who is this and where are we in the dialogue".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Link {
    Contact { contact_id: String, client_id: String, name: String },
    Employee { employee_id: String, name: String },
}

/// Ticket statuses with their API codes; names live in the message catalog's sense of the word
/// (what people read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    New,
    InProgress,
    Waiting,
    Done,
    Closed,
    Cancelled,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 6] = [
        TicketStatus::New,
        TicketStatus::InProgress,
        TicketStatus::Waiting,
        TicketStatus::Done,
        TicketStatus::Closed,
        TicketStatus::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TicketStatus::New => "new",
            TicketStatus::InProgress => "in_progress",
            TicketStatus::Waiting => "waiting",
            TicketStatus::Done => "done",
            TicketStatus::Closed => "closed",
            TicketStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The status name shown to people.
    pub fn name(self) -> &'static str {
        match self {
            TicketStatus::New => "Новая",
            TicketStatus::InProgress => "В работе",
            TicketStatus::Waiting => "Ожидает ответа",
            TicketStatus::Done => "Выполнен",
            TicketStatus::Closed => "Закрыт",
            TicketStatus::Cancelled => "Отменена",
        }
    }

    /// Work on the ticket is still going on.
    pub fn is_active(self) -> bool {
        !matches!(self, TicketStatus::Done | TicketStatus::Closed | TicketStatus::Cancelled)
    }

    /// The ticket was completed by the desk (a client may still ask about it).
    pub fn is_completed(self) -> bool {
        matches!(self, TicketStatus::Done | TicketStatus::Closed)
    }
}

/// What the main menu needs to know about a contact's tickets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TicketCounts {
    pub active: usize,
    pub completed: usize,
}

impl TicketCounts {
    pub fn from_statuses(statuses: impl IntoIterator<Item = TicketStatus>) -> Self {
        statuses.into_iter().fold(Self::default(), |mut counts, status| {
            counts.active += usize::from(status.is_active());
            counts.completed += usize::from(status.is_completed());
            counts
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_round_trip() {
        for status in TicketStatus::ALL {
            assert_eq!(TicketStatus::from_code(status.code()), Some(status));
        }
        assert_eq!(TicketStatus::from_code("open"), None);
    }

    #[test]
    fn counts_split_active_and_completed() {
        use TicketStatus::*;
        let counts = TicketCounts::from_statuses([New, InProgress, Done, Closed, Cancelled, Waiting]);
        assert_eq!(counts, TicketCounts { active: 3, completed: 2 });
    }
}

/// A ticket of the service desk, as stored. (Fields the bot flows and the staff API share.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// Sequential number, unique; gaps are possible (a number taken by a failed attempt).
    pub id: u64,
    pub subject: String,
    pub message: String,
    pub status: TicketStatus,
    /// Where the ticket came from: `messenger` for the bot, else what the API was told.
    pub source: String,
    pub client_id: String,
    pub contact_id: String,
    pub assignee_id: Option<String>,
    /// The assignee's name as of the assignment, so that a ticket card is one read.
    #[serde(default)]
    pub assignee_name: Option<String>,
    pub deadline: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Who made the last change: `client:<contact id>`, `employee:<employee id>` or `api`; lets
    /// the notifier skip echoing a client's own action back to them.
    pub changed_by: String,
    /// Storage version: every write is conditional on the version it read.
    #[serde(default)]
    pub version: u64,
}

/// Who wrote a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorKind {
    Client,
    Employee,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: String,
    pub ticket_id: u64,
    pub author_kind: AuthorKind,
    pub author_id: String,
    pub author_name: String,
    #[serde(default)]
    pub text: String,
    /// Internal notes are for staff only: never shown or sent to clients.
    pub internal: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// Object key in the attachments bucket.
    pub key: String,
    /// Set when the file came with a comment.
    pub comment_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub at: String,
    pub event: String,
    pub by: String,
    pub details: String,
}

/// A ticket with everything attached to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketDetails {
    pub ticket: Ticket,
    pub comments: Vec<Comment>,
    pub attachments: Vec<Attachment>,
    pub journal: Vec<JournalEntry>,
}

/// A client's request to be called back by their account manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallMeRequest {
    pub id: String,
    // Stored under names of their own: `contact_id`/`client_id` would put the request into
    // the tickets' indexes.
    #[serde(rename = "requester")]
    pub contact_id: String,
    #[serde(rename = "requester_client")]
    pub client_id: String,
    #[serde(rename = "requested_at")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// `new`, then `manager_notified` once the manager got the message in Telegram.
    pub state: String,
}
