//! What tests start from: the dialogue's settings of a Moscow desk, and a ticket.

use crate::dialogue::DialogueSettings;
use crate::domain::{Actor, Ticket, TicketStatus};
use chrono::{DateTime, Utc};

/// The settings of a Russian desk in Moscow, open all hours, whose support phone is
/// `+7 800 555-35-35`.
pub fn settings() -> DialogueSettings {
    DialogueSettings {
        support_phone: "+7 800 555-35-35".into(),
        phone_region: "RU".parse().expect("RU is a region"),
        timezone: crate::zone::Zone::named("Europe/Moscow").expect("a zone"),
        hours: None,
        default_lang: crate::texts::Lang::Ru,
    }
}

/// Ticket `id` of contact `contact_id` of client k1 in `status`, made by staff on the phone at
/// `at`, unassigned, never changed since; change what a test needs with `Ticket { .., ..ticket(..) }`.
pub fn ticket(id: u64, contact_id: &str, status: TicketStatus, at: DateTime<Utc>) -> Ticket {
    Ticket {
        id,
        subject: "Принтер".into(),
        message: String::new(),
        status,
        source: "phone".into(),
        client_id: "k1".into(),
        contact_id: contact_id.into(),
        assignee_id: None,
        assignee_name: None,
        deadline: None,
        created_at: at,
        updated_at: at,
        changed_by: Actor::Api,
        version: 1,
        completed_at: None,
        low_score_told: None,
        rating: None,
    }
}

/// A photo a user sent to the bot: stored in the bucket, and known to Telegram by `file_id`.
pub fn telegram_photo(file_id: &str) -> crate::dialogue::StoredFile {
    crate::dialogue::StoredFile {
        name: "photo-1.jpg".into(),
        content_type: "image/jpeg".into(),
        size: 1234,
        key: "files/u/photo-1.jpg".into(),
        telegram: Some(crate::dialogue::TelegramFile {
            file_id: file_id.into(),
            kind: crate::dialogue::FileKind::Photo,
            name: "photo-1.jpg".into(),
        }),
    }
}
