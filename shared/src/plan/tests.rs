//! The plans, as tables: what each effect writes, in what order, on what condition.

use super::*;
use crate::dialogue::{ContactMatch, NewComment, NewTicket, UserRecord};
use crate::domain::Rating;
use crate::ports::Attached;

fn at(minute: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_764_000_000 + minute * 60, 0).unwrap()
}

/// A write's name and the record it touches, as a table reads it.
fn named(write: &Write) -> String {
    match write {
        Write::Marker { update_id, .. } => format!("marker {update_id}"),
        Write::KeepResult(result) => format!("keep {}", result.key),
        Write::PutUser(record) => format!("user {} v{} (read v{})", record.user, record.version, record.read_version),
        Write::UnlinkUser { user, person } => format!("unlink user {user} from {}", person.code()),
        Write::RelinkUser { user, .. } => format!("relink user {user}"),
        Write::LinkEntry { person, me, held_by } => format!("link {} to {me} (held by {held_by:?})", person.code()),
        Write::UnlinkEntry { person, me } => format!("unlink {} from {me}", person.code()),
        Write::PutContact { contact, .. } => format!("contact {}", contact.id),
        Write::PutEmployee { employee, .. } => format!("employee {}", employee.id),
        Write::PutTicket { ticket, files } if files.is_empty() => format!("ticket {}", ticket.id),
        Write::PutTicket { ticket, files } => format!("ticket {} ({} files)", ticket.id, files.len()),
        Write::UpdateTicket(ticket) => format!("update ticket {} to v{}", ticket.id, ticket.version),
        Write::CancelTicket { ticket_id, contact_id, .. } => format!("cancel {ticket_id} if {contact_id}'s"),
        Write::SetSubject { ticket_id, .. } => format!("subject of {ticket_id}"),
        Write::RateTicket { rating, .. } => format!("rate {} {}", rating.ticket_id, rating.score),
        Write::PutRating { work, previous } => {
            format!("rating {} (replacing {:?})", work.ticket_id, previous.is_some())
        }
        Write::TicketExists(id) => format!("check {id} exists"),
        Write::MayComment { ticket_id, contact_id, on_completed } => {
            format!("check {ticket_id} is {contact_id}'s and {}", if *on_completed { "completed" } else { "active" })
        }
        Write::OwnedBy { ticket_id, comment_id, owner } => format!("check {ticket_id}/{comment_id:?} is {owner}'s"),
        Write::PutComment { comment, if_absent, files } => {
            let carried = if files.is_empty() { String::new() } else { format!(", {} files", files.len()) };
            format!("comment {} (if absent: {if_absent}{carried})", comment.id)
        }
        Write::SetCommentText { comment_id, .. } => format!("text of {comment_id}"),
        Write::PutAttachment { attachment, .. } => format!("attachment {}", attachment.key),
        Write::PutJournal { entry, tag, .. } => format!("journal {} #{tag}", entry.event),
        Write::PutAlbum { album, if_absent, .. } => format!("album {album} (if absent: {if_absent})"),
        Write::PutCallMe(request) => format!("call-me {}", request.id),
        Write::PutMessageTicket { message_id, ticket_id, .. } => format!("message {message_id} → {ticket_id}"),
        Write::NoteCorrection { message_id, comment_id, .. } => {
            format!("message {message_id} corrected by {comment_id}")
        }
        Write::ReviseComment { comment_id, .. } => format!("revise {comment_id}"),
        Write::UseUpload { id, by } => format!("use upload {id} by {by}"),
    }
}

fn anna() -> Link {
    Link::Contact { contact_id: "c1".into(), client_id: "k1".into(), name: "Анна".into() }
}

fn file(key: &str) -> StoredFile {
    StoredFile { name: "a.jpg".into(), content_type: "image/jpeg".into(), size: 3, key: key.into(), telegram: None }
}

/// The plan of one update of user 7 (linked to `link`, record at version 3) making `effects`.
fn plan_of(link: Option<Link>, effects: &[Effect]) -> Vec<String> {
    let before = UserRecord { link, version: 3, ..UserRecord::default() };
    let state = State::default();
    let commit = Commit {
        update_id: 42,
        user_id: 7,
        chat_id: 7,
        before: &before,
        state: &state,
        effects,
        now: at(0),
        response: None,
    };
    super::commit(&commit).iter().map(named).collect()
}

#[test]
fn each_effect_writes_its_records_between_the_marker_and_the_user() {
    let ticket = NewTicket {
        id: 5,
        subject: "Принтер".into(),
        message: "Не печатает".into(),
        contact_id: "c1".into(),
        client_id: "k1".into(),
        // The same photo twice in one album is one object, one item.
        files: vec![file("t/5/a"), file("t/5/a"), file("t/5/b")],
    };
    let comment = NewComment {
        ticket_id: 5,
        on_completed: true,
        comment_id: "m1".into(),
        contact_id: "c1".into(),
        author_name: "Анна".into(),
        text: "Снова".into(),
        files: vec![],
    };
    let rating = |previous| NewRating {
        ticket_id: 5,
        contact_id: "c1".into(),
        score: 4,
        previous,
        assignee_id: None,
        tells_low_of: None,
    };
    let table: Vec<(&str, Vec<Effect>, Vec<&str>)> = vec![
        ("nothing but the state", vec![], vec![]),
        (
            "a ticket with its files and journal",
            vec![Effect::CreateTicket(ticket)],
            vec!["ticket 5 (2 files)", "attachment t/5/a", "attachment t/5/b", "journal created #42"],
        ),
        (
            "a question on a completed ticket",
            vec![Effect::AddComment(comment)],
            vec!["check 5 is c1's and completed", "comment m1 (if absent: false)"],
        ),
        (
            "files added to the sender's own ticket",
            vec![Effect::AddFiles { ticket_id: 5, comment_id: None, files: vec![file("t/5/c")] }],
            vec!["check 5/None is c1's", "attachment t/5/c"],
        ),
        (
            "a cancellation",
            vec![Effect::CancelTicket { ticket_id: 5, contact_id: "c1".into() }],
            vec!["cancel 5 if c1's", "journal cancelled #42"],
        ),
        (
            "a first score",
            vec![Effect::RateTicket(rating(None))],
            vec!["rate 5 4", "journal rated #42", "rating 5 (replacing false)"],
        ),
        (
            "a changed score",
            vec![Effect::RateTicket(rating(Some(Rating { score: 2, at: at(-60) })))],
            vec!["rate 5 4", "journal rated #42", "rating 5 (replacing true)"],
        ),
        (
            "messages remembered once each",
            vec![Effect::RememberMessages { ticket_id: 5, messages: vec![11, 12, 11] }],
            vec!["message 11 → 5", "message 12 → 5"],
        ),
        ("leaving", vec![Effect::Unlink], vec!["unlink contact:c1 from 7"]),
    ];
    for (case, effects, expected) in table {
        let mut want = vec!["marker 42".to_owned()];
        want.extend(expected.iter().map(|s| (*s).to_owned()));
        want.push("user 7 v4 (read v3)".into());
        assert_eq!(plan_of(Some(anna()), &effects), want, "{case}");
    }
}

#[test]
fn linking_lets_go_of_the_old_entry_and_of_the_account_that_held_the_new_one() {
    let contact = |linked_user| {
        Effect::LinkContact(ContactMatch {
            contact_id: "c2".into(),
            client_id: "k1".into(),
            client_name: "Ромашка".into(),
            name: "Борис".into(),
            active: true,
            linked_user,
        })
    };
    let table: Vec<(&str, Option<Link>, Effect, Vec<&str>)> = vec![
        ("a first registration", None, contact(None), vec!["link contact:c2 to 7 (held by None)"]),
        (
            "another contact's phone, held by another account",
            Some(anna()),
            contact(Some(9)),
            vec!["unlink contact:c1 from 7", "unlink user 9 from contact:c2", "link contact:c2 to 7 (held by Some(9))"],
        ),
        ("the same entry again", None, contact(Some(7)), vec!["link contact:c2 to 7 (held by Some(7))"]),
    ];
    for (case, link, effect, expected) in table {
        let mut want = vec!["marker 42".to_owned()];
        want.extend(expected.iter().map(|s| (*s).to_owned()));
        want.push("user 7 v4 (read v3)".into());
        assert_eq!(plan_of(link, &[effect]), want, "{case}");
    }
}

#[test]
fn a_new_user_is_written_only_if_absent_and_the_marker_alone_means_a_duplicate() {
    let before = UserRecord::default();
    let state = State::default();
    let commit = Commit {
        update_id: 1,
        user_id: 7,
        chat_id: 7,
        before: &before,
        state: &state,
        effects: &[],
        now: at(0),
        response: None,
    };
    let plan = super::commit(&commit);
    assert!(first_means_duplicate(&plan));
    assert!(matches!(plan.last(), Some(Write::PutUser(UserWrite { read_version: 0, version: 1, .. }))));
    assert!(!first_means_duplicate(&ticket_change(&sample_ticket(), &[])));
}

fn sample_ticket() -> Ticket {
    let ticket = NewTicket {
        id: 8,
        subject: "s".into(),
        message: String::new(),
        contact_id: "c1".into(),
        client_id: "k1".into(),
        files: vec![],
    };
    ticket.record(at(0))
}

#[test]
fn staff_writes_keep_their_result_first_and_tag_their_journal_by_version_and_place() {
    let mut ticket = sample_ticket();
    ticket.version = 2;
    let journal = [ticket.creation_entry(), ticket.creation_entry()];
    let names = |plan: Vec<Write>| plan.iter().map(named).collect::<Vec<_>>();
    assert_eq!(
        names(ticket_change(&ticket, &journal)),
        ["update ticket 8 to v2", "journal created #v2.0", "journal created #v2.1"]
    );
    let comment = Comment {
        id: "x".into(),
        ticket_id: 8,
        author_kind: crate::domain::AuthorKind::Employee,
        author_id: "e1".into(),
        author_name: "Иван".into(),
        text: "t".into(),
        internal: false,
        created_at: at(0),
    };
    let attached = Attached::default();
    assert_eq!(names(super::comment(&comment, None, &attached)), ["check 8 exists", "comment x (if absent: true)"]);
    // With an upload: its attachment, and the upload marked used by the comment (in the write).
    let attached = Attached { files: vec![file("api/u1/akt.pdf")], uploads: vec!["u1".into()] };
    assert_eq!(
        names(super::comment(&comment, None, &attached)),
        [
            "check 8 exists",
            "comment x (if absent: true, 1 files)",
            "attachment api/u1/akt.pdf",
            "use upload u1 by comment:8/x"
        ]
    );
}
