//! What every write of the stores is: one store-neutral plan, applied by each store.
//!
//! A write that changes several records (one update's commit, a staff change with its journal,
//! a contact with its Telegram link) is planned here as a list of [`Write`]s, each naming the
//! one record it touches, what it writes and the condition it holds on: plain functions of
//! what was decided ([`commit`], [`new_ticket`], [`ticket_change`], [`comment`], [`contact`],
//! [`employee`]). The stores only apply a plan: the DynamoDB adapter translates each write
//! into an item of one `TransactWriteItems` (`dynamo/apply.rs`), the memory store checks the
//! conditions on its maps and applies all or nothing (`memory.rs`). What a commit writes, in
//! what order and on what conditions is therefore decided once; the contract suite checks both
//! appliers.
//!
//! The first write of a plan may be the one whose failed condition means "done before" (an
//! update's marker, a kept API result): the stores report that as a duplicate.

use crate::dialogue::{AlbumTarget, Effect, Language, NewRating, State, StoredFile};
use crate::domain::{
    Attachment, CallMeRequest, CallMeState, Comment, Contact, Employee, JournalEntry, Link, Person, TelegramUserId,
    Ticket,
};
use crate::ports::{
    journal_tag, update_journal_tag, Attached, Commit, KeptResult, RatedWork, MESSAGE_EDITS_KEPT_HOURS,
};
use chrono::{DateTime, Utc};

/// One record written (or checked) by a plan, with its condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// The update's marker, with the answer a redelivery gets; only if absent.
    Marker {
        update_id: u64,
        response: Option<String>,
        at: DateTime<Utc>,
    },
    /// A staff API result under its idempotency key; only if none is kept, or the kept one expired.
    KeepResult(KeptResult),
    /// The user's record, whole; only if its version is still the one read (none: absent).
    PutUser(UserWrite),
    /// Drops the user's link to `person` (the version moves on); only if linked to `person`.
    UnlinkUser {
        user: TelegramUserId,
        person: Person,
    },
    /// Rewrites the user's copy of their link (the version moves on); only if linked to its person.
    RelinkUser {
        user: TelegramUserId,
        link: Link,
    },
    /// Links the directory entry to `me`; only if it is still linked to `held_by` as read, and
    /// available (a contact active; an employee there and not deactivated).
    LinkEntry {
        person: Person,
        me: TelegramUserId,
        held_by: Option<TelegramUserId>,
    },
    /// Unlinks the directory entry from `me`; only if linked to `me`.
    UnlinkEntry {
        person: Person,
        me: TelegramUserId,
    },
    /// A contact, whole; only if its Telegram link is still `linked_as_read`.
    PutContact {
        contact: Contact,
        linked_as_read: Option<TelegramUserId>,
        at: DateTime<Utc>,
    },
    /// An employee, whole; only if its Telegram link is still `linked_as_read`.
    PutEmployee {
        employee: Employee,
        linked_as_read: Option<TelegramUserId>,
    },
    /// A new ticket; only if its id is free. `files`: as for [`Write::PutComment`].
    PutTicket {
        ticket: Ticket,
        files: Vec<StoredFile>,
    },
    /// The ticket's changeable fields; only if its version is still `ticket.version - 1`.
    UpdateTicket(Ticket),
    /// Cancels the ticket by its client; only if it is the contact's and active.
    CancelTicket {
        ticket_id: u64,
        contact_id: String,
        at: DateTime<Utc>,
    },
    /// Replaces a placeholder subject; only while the subject is the placeholder and the ticket
    /// the contact's.
    SetSubject {
        ticket_id: u64,
        placeholder: String,
        subject: String,
        message: String,
        contact_id: String,
    },
    /// Scores the ticket; only if it is the contact's, open to rating and rated as read.
    RateTicket {
        rating: NewRating,
        at: DateTime<Utc>,
    },
    /// The rating as the summary counts it (replacing the one rated `previous`, if any).
    PutRating {
        work: RatedWork,
        previous: Option<DateTime<Utc>>,
    },
    /// A condition alone: the ticket exists.
    TicketExists(u64),
    /// A condition alone: the ticket is the contact's, and active (or completed, `on_completed`).
    MayComment {
        ticket_id: u64,
        contact_id: String,
        on_completed: bool,
    },
    /// A condition alone: the ticket is `owner`'s (or, with `comment_id`, the comment's author is).
    OwnedBy {
        ticket_id: u64,
        comment_id: Option<String>,
        owner: String,
    },
    /// A comment; `if_absent`: only if its id is free (else it replaces one).
    PutComment {
        comment: Comment,
        if_absent: bool,
        /// The files it came with: on the comment's item, so that its notice (made from the
        /// stream's record alone) carries them.
        files: Vec<StoredFile>,
    },
    /// Sets a comment's text unless it has one; only on the author's own comment that is there.
    SetCommentText {
        ticket_id: u64,
        comment_id: String,
        text: String,
        author_id: String,
    },
    PutAttachment {
        ticket_id: u64,
        attachment: Attachment,
        at: DateTime<Utc>,
        /// A later album part's file, kept on the item (as `files`): its stream record is then
        /// a notice of its own ([`crate::notify::Change::FilesAdded`]). `None` for the files a
        /// ticket or comment came with (their record's notice carries them).
        part: Option<StoredFile>,
    },
    /// A journal entry; `tag` tells apart the entries of one ticket at one moment.
    PutJournal {
        ticket_id: u64,
        entry: JournalEntry,
        tag: String,
    },
    /// An album's claim; `if_absent`: only if nobody claimed it.
    PutAlbum {
        user: TelegramUserId,
        album: String,
        target: AlbumTarget,
        if_absent: bool,
        at: DateTime<Utc>,
    },
    PutCallMe(CallMeRequest),
    /// Which ticket a message of a chat became, until `expires_at` (Unix seconds).
    PutMessageTicket {
        chat_id: i64,
        message_id: i64,
        ticket_id: u64,
        expires_at: i64,
    },
    /// The message's last correction is comment `comment_id`, made `at`; only of a message the
    /// bot remembers.
    NoteCorrection {
        chat_id: i64,
        message_id: i64,
        comment_id: String,
        at: DateTime<Utc>,
    },
    /// An upload is taken by `by` (a ticket or comment), on condition that nothing took it.
    UseUpload {
        id: String,
        by: String,
    },
    /// The sender's own comment reads `text` now (a revised correction).
    ReviseComment {
        ticket_id: u64,
        comment_id: String,
        text: String,
        author_id: String,
    },
}

/// A Telegram user's record as a commit leaves it.
#[derive(Debug, Clone, PartialEq)]
pub struct UserWrite {
    pub user: TelegramUserId,
    pub chat_id: i64,
    pub link: Option<Link>,
    pub state: State,
    pub version: u64,
    /// The version read: the write holds only if the record is still at it (0: absent).
    pub read_version: u64,
    pub unreachable: bool,
    pub language: Option<Language>,
    pub at: DateTime<Utc>,
}

/// The writes of one update's commit: its marker first, then the writes of each effect in
/// order, then the user's record.
pub fn commit(commit: &Commit<'_>) -> Vec<Write> {
    let mut writes =
        vec![Write::Marker { update_id: commit.update_id, response: commit.response.clone(), at: commit.now }];
    let mut link = commit.before.link.clone();
    for effect in commit.effects {
        if *effect == Effect::Unlink {
            // My entry lets go of me, on condition that it still holds me.
            if let Some(old) = link.take() {
                writes.push(Write::UnlinkEntry { person: old.person(), me: commit.user_id });
            }
            continue;
        }
        match effect.link() {
            Some((new, held_by)) => {
                link_writes(commit.user_id, link.as_ref(), &new, held_by, &mut writes);
                link = Some(new);
            }
            None => effect_writes(effect, commit, &mut writes),
        }
    }
    writes.push(Write::PutUser(UserWrite {
        user: commit.user_id,
        chat_id: commit.chat_id,
        link,
        state: commit.state.clone(),
        version: commit.before.version + 1,
        read_version: commit.before.version,
        // The record is rewritten whole: an `unreachable` mark goes unless this commit sets it.
        unreachable: commit.effects.contains(&Effect::Reachability { blocked: true }),
        language: commit.language(),
        at: commit.now,
    }));
    writes
}

/// Links `me` to `new`: my old entry lets go of me, another account that held the new entry
/// loses its link, and the new entry takes me if it is still linked as read.
fn link_writes(
    me: TelegramUserId,
    old: Option<&Link>,
    new: &Link,
    held_by: Option<TelegramUserId>,
    writes: &mut Vec<Write>,
) {
    let person = new.person();
    if let Some(old) = old.map(Link::person).filter(|old| old != &person) {
        writes.push(Write::UnlinkEntry { person: old, me });
    }
    if let Some(previous) = held_by.filter(|previous| *previous != me) {
        // Another Telegram account held this entry (a new phone, a new account).
        writes.push(Write::UnlinkUser { user: previous, person: person.clone() });
    }
    writes.push(Write::LinkEntry { person, me, held_by });
}

/// The writes of a ticket, comment, album, rating or call-me effect.
fn effect_writes(effect: &Effect, commit: &Commit<'_>, writes: &mut Vec<Write>) {
    let now = commit.now;
    let tag = update_journal_tag(commit.update_id);
    match effect {
        Effect::CreateTicket(ticket) => {
            let stored = ticket.record(now);
            let entry = stored.creation_entry();
            writes.push(Write::PutTicket { ticket: stored, files: distinct(&ticket.files) });
            attachment_writes(ticket.id, None, &ticket.files, Part::No, now, writes);
            writes.push(Write::PutJournal { ticket_id: ticket.id, entry, tag });
        }
        Effect::AddComment(comment) => {
            writes.push(Write::MayComment {
                ticket_id: comment.ticket_id,
                contact_id: comment.contact_id.clone(),
                on_completed: comment.on_completed,
            });
            writes.push(Write::PutComment {
                comment: comment.record(now),
                if_absent: false,
                files: distinct(&comment.files),
            });
            attachment_writes(comment.ticket_id, Some(&comment.comment_id), &comment.files, Part::No, now, writes);
        }
        Effect::AddStaffComment(comment) => {
            // A staff comment goes on any ticket there is, whatever its status (as the staff API).
            writes.push(Write::TicketExists(comment.ticket_id));
            writes.push(Write::PutComment {
                comment: comment.record(now),
                if_absent: false,
                files: distinct(&comment.files),
            });
            attachment_writes(comment.ticket_id, Some(&comment.comment_id), &comment.files, Part::No, now, writes);
        }
        Effect::AddFiles { ticket_id, comment_id, files } => {
            // Files go only to the sender's own ticket (or their own comment on it).
            if !commit.checks_owner_of(*ticket_id, comment_id.as_deref()) {
                let owner = if comment_id.is_some() { commit.author_id() } else { commit.contact_id() };
                writes.push(Write::OwnedBy {
                    ticket_id: *ticket_id,
                    comment_id: comment_id.clone(),
                    owner: owner.unwrap_or_default().to_owned(),
                });
            }
            attachment_writes(*ticket_id, comment_id.as_deref(), files, Part::Later, now, writes);
        }
        Effect::SetSubject { ticket_id, placeholder, subject, message } => writes.push(Write::SetSubject {
            ticket_id: *ticket_id,
            placeholder: placeholder.clone(),
            subject: subject.clone(),
            message: message.clone(),
            contact_id: commit.contact_id().unwrap_or_default().to_owned(),
        }),
        Effect::SetCommentText { ticket_id, comment_id, text } => writes.push(Write::SetCommentText {
            ticket_id: *ticket_id,
            comment_id: comment_id.clone(),
            text: text.clone(),
            author_id: commit.author_id().unwrap_or_default().to_owned(),
        }),
        Effect::ClaimAlbum { album, target, first } => writes.push(Write::PutAlbum {
            user: commit.user_id,
            album: album.clone(),
            target: target.clone(),
            if_absent: *first,
            at: now,
        }),
        // A staff button's change: as `PATCH /tickets/{id}` writes it.
        Effect::ChangeTicket { ticket, journal } => writes.extend(ticket_change(ticket, journal)),
        Effect::CancelTicket { ticket_id, contact_id } => {
            writes.push(Write::CancelTicket { ticket_id: *ticket_id, contact_id: contact_id.clone(), at: now });
            let entry = crate::dialogue::cancellation_entry(contact_id, now);
            writes.push(Write::PutJournal { ticket_id: *ticket_id, entry, tag });
        }
        Effect::RateTicket(rating) => {
            writes.push(Write::RateTicket { rating: rating.clone(), at: now });
            writes.push(Write::PutJournal { ticket_id: rating.ticket_id, entry: rating.journal_entry(now), tag });
            writes.push(Write::PutRating { work: rating.work(now), previous: rating.previous.map(|p| p.at) });
        }
        Effect::RequestCallMe { id, contact_id, client_id } => writes.push(Write::PutCallMe(CallMeRequest {
            id: id.clone(),
            contact_id: contact_id.clone(),
            client_id: client_id.clone(),
            created_at: now,
            state: CallMeState::New,
            done: None,
        })),
        Effect::RememberMessages { ticket_id, messages } => {
            let expires_at = now.timestamp() + MESSAGE_EDITS_KEPT_HOURS * 3600;
            let unique: std::collections::BTreeSet<_> = messages.iter().collect();
            for message_id in unique {
                let (chat_id, message_id, ticket_id) = (commit.chat_id, *message_id, *ticket_id);
                writes.push(Write::PutMessageTicket { chat_id, message_id, ticket_id, expires_at });
            }
        }
        Effect::Corrected { ticket_id, message_id, comment_id, contact_id } => {
            let entry = crate::dialogue::correction_entry(contact_id, *message_id, comment_id, false, now);
            writes.push(Write::PutJournal { ticket_id: *ticket_id, entry, tag });
            let (chat_id, message_id, comment_id) = (commit.chat_id, *message_id, comment_id.clone());
            writes.push(Write::NoteCorrection { chat_id, message_id, comment_id, at: now });
        }
        Effect::Revised { ticket_id, message_id, comment_id, contact_id, text } => {
            let (ticket_id, author_id) = (*ticket_id, contact_id.clone());
            let revised =
                Write::ReviseComment { ticket_id, comment_id: comment_id.clone(), text: text.clone(), author_id };
            writes.push(revised);
            let entry = crate::dialogue::correction_entry(contact_id, *message_id, comment_id, true, now);
            writes.push(Write::PutJournal { ticket_id, entry, tag });
            let (chat_id, message_id, comment_id) = (commit.chat_id, *message_id, comment_id.clone());
            writes.push(Write::NoteCorrection { chat_id, message_id, comment_id, at: now });
        }
        // Carried by the user's record itself.
        Effect::Reachability { .. } | Effect::SetLanguage(_) => {}
        // Written by `commit` and `link_writes`.
        Effect::Unlink | Effect::LinkContact(_) | Effect::LinkEmployee(_) => {}
    }
}

/// The files once each (by object key), in their order: what the record carries for notices.
fn distinct(files: &[StoredFile]) -> Vec<StoredFile> {
    let mut seen = std::collections::HashSet::new();
    files.iter().filter(|f| seen.insert(f.key.as_str())).cloned().collect()
}

/// Files with distinct object keys: the same photo twice in one album is one object, and a
/// transaction may not write one item twice (DynamoDB would refuse it every time).
/// Whether files are a later album part's (told of by their own records) or came with their
/// ticket or comment.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    No,
    Later,
}

fn attachment_writes(
    ticket_id: u64,
    comment_id: Option<&str>,
    files: &[StoredFile],
    part: Part,
    at: DateTime<Utc>,
    writes: &mut Vec<Write>,
) {
    let mut seen = std::collections::HashSet::new();
    for file in files.iter().filter(|f| seen.insert(f.key.as_str())) {
        writes.push(Write::PutAttachment {
            ticket_id,
            attachment: file.attachment(comment_id),
            at,
            part: (part == Part::Later).then(|| file.clone()),
        });
    }
}

/// The entries of a staff write that makes `ticket` (its version), tagged by their place.
fn journal_writes<'a>(ticket: &'a Ticket, journal: &'a [JournalEntry]) -> impl Iterator<Item = Write> + 'a {
    journal.iter().enumerate().map(|(place, entry)| Write::PutJournal {
        ticket_id: ticket.id,
        entry: entry.clone(),
        tag: journal_tag(ticket.version, place),
    })
}

/// A ticket made through the staff API: its kept result first (when the request is
/// idempotent), the ticket if its id is free, its journal.
pub fn new_ticket(
    ticket: &Ticket,
    journal: &[JournalEntry],
    once: Option<&KeptResult>,
    attached: &Attached,
) -> Vec<Write> {
    let mut writes: Vec<Write> = once.cloned().map(Write::KeepResult).into_iter().collect();
    writes.push(Write::PutTicket { ticket: ticket.clone(), files: distinct(&attached.files) });
    attachment_writes(ticket.id, None, &attached.files, Part::No, ticket.created_at, &mut writes);
    writes.extend(uses_of(attached, &format!("ticket:{}", ticket.id)));
    writes.extend(journal_writes(ticket, journal));
    writes
}

/// Each upload of `attached` marked used by `by`, on condition that it was not.
fn uses_of(attached: &Attached, by: &str) -> Vec<Write> {
    attached.uploads.iter().map(|id| Write::UseUpload { id: id.clone(), by: by.to_owned() }).collect()
}

/// A staff change of a ticket (the version read + 1) with its journal.
pub fn ticket_change(ticket: &Ticket, journal: &[JournalEntry]) -> Vec<Write> {
    let mut writes = vec![Write::UpdateTicket(ticket.clone())];
    writes.extend(journal_writes(ticket, journal));
    writes
}

/// A comment through the staff API: its kept result first (when idempotent), on a ticket that
/// exists, under an id that is free.
pub fn comment(comment: &Comment, once: Option<&KeptResult>, attached: &Attached) -> Vec<Write> {
    let mut writes: Vec<Write> = once.cloned().map(Write::KeepResult).into_iter().collect();
    writes.push(Write::TicketExists(comment.ticket_id));
    let files = distinct(&attached.files);
    writes.push(Write::PutComment { comment: comment.clone(), if_absent: true, files });
    attachment_writes(comment.ticket_id, Some(&comment.id), &attached.files, Part::No, comment.created_at, &mut writes);
    writes.extend(uses_of(attached, &format!("comment:{}/{}", comment.ticket_id, comment.id)));
    writes
}

/// The account linked as read keeps the link (its copy in step with the directory) when the
/// entry still names it, and loses it otherwise.
fn keep_or_drop_link(user: TelegramUserId, kept: Option<TelegramUserId>, link: Link) -> Write {
    match kept {
        Some(kept) if kept == user => Write::RelinkUser { user, link },
        _ => Write::UnlinkUser { user, person: link.person() },
    }
}

/// A contact put by the staff API: the side of the account linked as read, and the contact on
/// condition that its link is still as read.
pub fn contact(contact: &Contact, linked_as_read: Option<TelegramUserId>, at: DateTime<Utc>) -> Vec<Write> {
    let mut writes: Vec<Write> =
        linked_as_read.map(|user| keep_or_drop_link(user, contact.telegram_user, contact.link())).into_iter().collect();
    writes.push(Write::PutContact { contact: contact.clone(), linked_as_read, at });
    writes
}

/// An employee put by the staff API, as [`contact`].
pub fn employee(employee: &Employee, linked_as_read: Option<TelegramUserId>) -> Vec<Write> {
    let mut writes: Vec<Write> = linked_as_read
        .map(|user| keep_or_drop_link(user, employee.telegram_user, employee.link()))
        .into_iter()
        .collect();
    writes.push(Write::PutEmployee { employee: employee.clone(), linked_as_read });
    writes
}

/// Whether a plan's failed first write means "done before" (a redelivery, a repeated request).
pub fn first_means_duplicate(plan: &[Write]) -> bool {
    matches!(plan.first(), Some(Write::Marker { .. } | Write::KeepResult(_)))
}

#[cfg(test)]
mod tests;
