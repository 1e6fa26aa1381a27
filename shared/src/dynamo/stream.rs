//! TicketsTable stream records → what happened, for the notifier. The records carry items in
//! the stored shape, so they are read with the same codecs as everything else.

use super::attr::{get_s, Item};
use super::codec;
use super::keys::{self, Kind};
use crate::notify::Change;
use crate::ports::StoreError;

/// A stream record's parts, as the Lambda event carries them (images converted to items).
#[derive(Debug, Clone, Default)]
pub struct StreamRecord {
    /// `INSERT`, `MODIFY` or `REMOVE`.
    pub event_name: String,
    pub keys: Item,
    pub old_image: Item,
    pub new_image: Item,
}

/// What a record means. `Corrupt` when an image does not read as what its key says: it will not
/// read on a retry either.
pub fn change_of(record: &StreamRecord) -> Result<Change, StoreError> {
    let image = if record.new_image.is_empty() { &record.keys } else { &record.new_image };
    let Some(sk) = get_s(image, "sk") else { return Ok(Change::Nothing) };
    Ok(match (record.event_name.as_str(), keys::kind_of(sk)) {
        ("INSERT", Kind::Ticket) => Change::TicketCreated {
            ticket: codec::ticket::from_item(&record.new_image)?,
            files: codec::files_of(&record.new_image)?,
        },
        ("MODIFY", Kind::Ticket) => Change::TicketChanged {
            old: Box::new(codec::ticket::from_item(&record.old_image)?),
            new: Box::new(codec::ticket::from_item(&record.new_image)?),
        },
        ("INSERT", Kind::CallMe) => Change::CallMeRequested(codec::call_me::from_item(&record.new_image)?),
        ("INSERT", Kind::Comment) => Change::CommentAdded {
            comment: codec::comment::from_item(&record.new_image)?,
            files: codec::files_of(&record.new_image)?,
        },
        ("INSERT", Kind::Attachment) => match codec::attachment::part_of(&record.new_image)? {
            Some(codec::attachment::Part { ticket_id, comment_id, files }) => {
                Change::FilesAdded { ticket_id, comment_id, files }
            }
            None => Change::Nothing,
        },
        _ => Change::Nothing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Actor, AuthorKind, CallMeRequest, Comment, JournalEntry, Ticket, TicketStatus};
    use chrono::{TimeZone, Utc};

    fn ticket() -> Ticket {
        let at = Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap();
        Ticket {
            id: 7,
            subject: "Принтер".into(),
            message: String::new(),
            status: TicketStatus::New,
            source: "email".into(),
            client_id: "k1".into(),
            contact_id: "c1".into(),
            assignee_id: Some("e1".into()),
            assignee_name: Some("Пётр".into()),
            deadline: None,
            created_at: at,
            updated_at: at,
            changed_by: Actor::Employee("e1".into()),
            version: 1,
            completed_at: None,
            low_score_told: None,
            rating: None,
        }
    }

    fn record(event_name: &str, old: Item, new: Item) -> StreamRecord {
        StreamRecord { event_name: event_name.into(), keys: Item::new(), old_image: old, new_image: new }
    }

    #[test]
    fn records_read_back_as_what_was_written() {
        let created = record("INSERT", Item::new(), codec::ticket::to_item(&ticket()));
        assert_eq!(change_of(&created).unwrap(), Change::TicketCreated { ticket: ticket(), files: vec![] });

        let mut done = ticket();
        done.status = TicketStatus::Done;
        let changed = record("MODIFY", codec::ticket::to_item(&ticket()), codec::ticket::to_item(&done));
        assert_eq!(
            change_of(&changed).unwrap(),
            Change::TicketChanged { old: Box::new(ticket()), new: Box::new(done) }
        );

        let comment = Comment {
            id: "e1-1".into(),
            ticket_id: 7,
            author_kind: AuthorKind::Employee,
            author_id: "e1".into(),
            author_name: "Пётр".into(),
            text: "Выезжаю".into(),
            internal: true,
            created_at: ticket().created_at,
        };
        let added = record("INSERT", Item::new(), codec::comment::to_item(&comment));
        assert_eq!(change_of(&added).unwrap(), Change::CommentAdded { comment, files: vec![] });

        let request = CallMeRequest {
            id: "r5".into(),
            contact_id: "c1".into(),
            client_id: "k1".into(),
            created_at: ticket().created_at,
            state: crate::domain::CallMeState::New,
            done: None,
        };
        let asked = record("INSERT", Item::new(), codec::call_me::to_item(&request));
        assert_eq!(change_of(&asked).unwrap(), Change::CallMeRequested(request));
    }

    #[test]
    fn journal_attachments_and_removals_tell_nobody() {
        let entry = JournalEntry::new(ticket().created_at, "created", Actor::Api, "");
        let journal = record("INSERT", Item::new(), codec::journal::to_item(7, &entry, "0"));
        assert_eq!(change_of(&journal).unwrap(), Change::Nothing);
        let removed = StreamRecord {
            event_name: "REMOVE".into(),
            keys: super::super::attr::keyed(keys::ticket(7)),
            ..StreamRecord::default()
        };
        assert_eq!(change_of(&removed).unwrap(), Change::Nothing);
    }

    #[test]
    fn a_later_album_parts_attachment_tells_of_its_file_and_the_first_parts_do_not() {
        let photo = crate::test_util::fixtures::telegram_photo("p2");
        let at = ticket().created_at;
        let item = |part| codec::attachment::to_item(7, &photo.attachment(Some("m1")), at, part).unwrap();
        let later = record("INSERT", Item::new(), item(Some(&photo)));
        assert_eq!(
            change_of(&later).unwrap(),
            Change::FilesAdded { ticket_id: 7, comment_id: Some("m1".into()), files: vec![photo.clone()] }
        );
        assert_eq!(change_of(&record("INSERT", Item::new(), item(None))).unwrap(), Change::Nothing);
        let rewritten = record("MODIFY", item(Some(&photo)), item(Some(&photo)));
        assert_eq!(change_of(&rewritten).unwrap(), Change::Nothing, "told once, when it came");
    }

    #[test]
    fn a_ticket_image_without_its_fields_is_corrupt() {
        let broken = record("INSERT", Item::new(), super::super::attr::keyed(keys::ticket(7)));
        assert!(matches!(change_of(&broken), Err(StoreError::Corrupt(_))));
    }
}
