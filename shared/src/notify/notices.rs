//! What the notifier says, decided without I/O: what a stream record says happened
//! ([`Change`]), who hears what about it and in which words ([`notices`]), and a long text cut
//! into messages Telegram takes ([`split_message`]).

use crate::dialogue::StoredFile;
use crate::domain::{Actor, AuthorKind, CallMeRequest, Comment, Person, Ticket, TicketStatus, BOT_SOURCE};
use crate::texts::{self, fill, Lang};
use crate::zone::Zone as Tz;
use chrono::{DateTime, Utc};

/// Telegram's limit on a message's text.
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// What a stream record says happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A ticket, with the files it came with.
    TicketCreated {
        ticket: Ticket,
        files: Vec<StoredFile>,
    },
    TicketChanged {
        old: Box<Ticket>,
        new: Box<Ticket>,
    },
    /// A comment, with the files it came with.
    CommentAdded {
        comment: Comment,
        files: Vec<StoredFile>,
    },
    /// A later part of an album: its file joined the ticket (or comment) the album made, and
    /// goes to whoever heard of that one's files.
    FilesAdded {
        ticket_id: u64,
        comment_id: Option<String>,
        files: Vec<StoredFile>,
    },
    /// A client asked their account manager to call back.
    CallMeRequested(CallMeRequest),
    /// Attachments, journal entries, removals, TTL expiry: nothing to tell anyone.
    Nothing,
}

impl Change {
    /// The kinds of change someone is told of ([`Change::kind`]): the sample stream events
    /// cover each (`tests/tests/events.rs`).
    pub const NOTIFIED: [&'static str; 5] =
        ["ticket_created", "ticket_changed", "comment_added", "files_added", "call_me_requested"];

    /// Its kind's name.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::TicketCreated { .. } => "ticket_created",
            Change::TicketChanged { .. } => "ticket_changed",
            Change::CommentAdded { .. } => "comment_added",
            Change::FilesAdded { .. } => "files_added",
            Change::CallMeRequested(_) => "call_me_requested",
            Change::Nothing => "nothing",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The stream's `eventID`: notices are keyed by it.
    pub event_id: String,
    /// The stream's sequence number: reported back when the record must be retried.
    pub sequence: String,
    pub change: Change,
}

/// Someone a notice goes to.
pub type Recipient = Person;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub to: Recipient,
    pub html: String,
    pub url: Option<String>,
    /// A request to rate this ticket: the message carries the score buttons (not the menu).
    pub rate: Option<u64>,
    /// Files (by their `file_id` when Telegram has them, else uploaded from the bucket), in
    /// messages of their own after the text notice
    /// (the notice's `html` is then empty): a notice of their own, so that the text is never
    /// held up by a file Telegram will not take, and neither is sent twice.
    pub files: Vec<StoredFile>,
}

/// `<event id>#<person code>`: the key of one notice, shared by its `SENT#` marker and its kept
/// copy.
pub fn notice_key(event_id: &str, to: &Recipient) -> String {
    format!("{event_id}#{}", to.code())
}

/// The code of the person a notice key names ([`notice_key`], [`key_of`]): event ids and person
/// codes hold no `#`.
pub fn recipient_code(key: &str) -> Option<&str> {
    let (_, rest) = key.split_once('#')?;
    Some(rest.strip_suffix("#rate").or_else(|| rest.strip_suffix("#files")).unwrap_or(rest))
}

/// The key of a notice: [`notice_key`], and `#rate` for a request to rate, `#files` for files
/// (the second message one record owes the same person).
pub(super) fn key_of(event_id: &str, notice: &Notice) -> String {
    let key = notice_key(event_id, &notice.to);
    if notice.rate.is_some() {
        format!("{key}#rate")
    } else if !notice.files.is_empty() {
        format!("{key}#files")
    } else {
        key
    }
}

/// The ticket a change's notices are about (a reply to one comments on it).
pub(super) fn about_ticket(change: &Change) -> Option<u64> {
    match change {
        Change::TicketCreated { ticket, .. } => Some(ticket.id),
        Change::TicketChanged { new, .. } => Some(new.id),
        Change::CommentAdded { comment, .. } => Some(comment.ticket_id),
        Change::FilesAdded { ticket_id, .. } => Some(*ticket_id),
        Change::CallMeRequested(_) | Change::Nothing => None,
    }
}

/// Names and facts the texts need, read from the directory.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub contact_name: String,
    pub contact_phone: String,
    pub client_name: String,
    pub client_vip: bool,
    pub manager_id: Option<String>,
    pub assignee_name: Option<String>,
    /// For comments: the ticket they belong to.
    pub ticket: Option<Ticket>,
}

#[derive(Debug, Clone)]
pub struct NoticeSettings {
    pub service_desk_url: String,
    pub timezone: Tz,
    /// The language of recipients who have none kept (`DEFAULT_LANGUAGE`).
    pub default_lang: Lang,
}

impl NoticeSettings {
    fn ticket_url(&self, id: u64) -> String {
        format!("{}/tickets/{id}", self.service_desk_url)
    }
}

/// Escapes text for Telegram's HTML parse mode.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// `DD.MM.YYYY HH:MM` in the desk's time zone.
pub fn format_date(at: DateTime<Utc>, zone: &Tz) -> String {
    at.with_timezone(zone).format("%d.%m.%Y %H:%M").to_string()
}

/// Who hears what about a change (pure), in `lang`: [`super::Dispatcher::owed`] renders a change
/// in every language and gives each recipient theirs (the notices' order and recipients do not
/// depend on it).
pub fn notices(change: &Change, context: &Context, settings: &NoticeSettings, lang: Lang) -> Vec<Notice> {
    let header = |t: &Ticket| {
        fill(texts::NOTICE_TICKET.get(lang), &[("id", &t.id.to_string()), ("subject", &escape(&t.subject))])
    };
    let link = |t: &Ticket| fill(texts::NOTICE_LINK.get(lang), &[("url", &escape(&settings.ticket_url(t.id)))]);
    let notice = |to: Recipient, t: &Ticket, lines: Vec<String>| {
        let mut html = vec![header(t)];
        html.extend(lines);
        html.push(link(t));
        Notice { to, html: html.join("\n\n"), url: Some(settings.ticket_url(t.id)), rate: None, files: vec![] }
    };
    let client_line = |template: &str| {
        fill(template, &[("contact", &escape(&context.contact_name)), ("client", &escape(&context.client_name))])
    };
    let mut out = vec![];
    match change {
        Change::TicketCreated { ticket, files } => {
            // The bot confirmed its own tickets already. Whoever hears of a ticket gets its
            // files after the words: the client those the desk attached, the VIP client's
            // manager the client's photo of the broken printer.
            if ticket.source != BOT_SOURCE {
                let line = fill(texts::NOTICE_CREATED.get(lang), &[("id", &ticket.id.to_string())]);
                let client = Recipient::Contact(ticket.contact_id.clone());
                out.push(notice(client.clone(), ticket, vec![line]));
                files_notice(&mut out, client, ticket, files, settings);
            }
            if let (true, Some(manager)) = (context.client_vip, &context.manager_id) {
                let manager = Recipient::Employee(manager.clone());
                out.push(notice(manager.clone(), ticket, vec![client_line(texts::NOTICE_VIP_TICKET.get(lang))]));
                files_notice(&mut out, manager, ticket, files, settings);
            }
        }
        Change::TicketChanged { old, new } => {
            let mut lines = vec![];
            if old.status != new.status {
                let status = escape(new.status.name(lang));
                // One completion notice per completion: a completed ticket closed later (done →
                // closed) is named plainly.
                let completed_now = new.status.is_completed() && !old.status.is_completed();
                let template =
                    if completed_now { texts::NOTICE_DONE.get(lang) } else { texts::NOTICE_STATUS.get(lang) };
                lines.push(fill(template, &[("status", &status)]));
            }
            if old.assignee_id != new.assignee_id {
                lines.push(match &context.assignee_name {
                    Some(name) if new.assignee_id.is_some() => {
                        fill(texts::NOTICE_ASSIGNEE.get(lang), &[("name", &escape(name))])
                    }
                    _ => texts::NOTICE_UNASSIGNED.get(lang).to_owned(),
                });
            }
            if old.deadline != new.deadline {
                lines.push(match new.deadline {
                    Some(deadline) => fill(
                        texts::NOTICE_DEADLINE.get(lang),
                        &[("deadline", &format_date(deadline, &settings.timezone))],
                    ),
                    None => texts::NOTICE_DEADLINE_CLEARED.get(lang).to_owned(),
                });
            }
            let by_client = new.changed_by == Actor::Client(new.contact_id.clone());
            // What the client did in the bot is not echoed back to them.
            if !lines.is_empty() && !by_client {
                out.push(notice(Recipient::Contact(new.contact_id.clone()), new, lines));
            }
            // Done: the client is asked for a score, in a message of its own (the notice sets
            // the menu; a message has one keyboard).
            if new.status == TicketStatus::Done && old.status != TicketStatus::Done && !by_client {
                let html = format!("{}\n\n{}", header(new), texts::RATING_ASK.get(lang));
                out.push(Notice {
                    to: Recipient::Contact(new.contact_id.clone()),
                    html,
                    url: None,
                    rate: Some(new.id),
                    files: vec![],
                });
            }
            // The first low score of a completion (the write that marked it told) reaches the
            // assignee and the client's manager; a score changed again (⭐1 ↔ ⭐2, or ⭐1 → ⭐5 →
            // ⭐1) tells no one again, so a client cannot page staff by pressing.
            let first_low = new.low_score_told.is_some() && new.low_score_told != old.low_score_told;
            if let Some(rating) = new.rating.filter(|r| r.is_low() && first_low) {
                let line = fill(
                    texts::NOTICE_LOW_RATING.get(lang),
                    &[
                        ("contact", &escape(&context.contact_name)),
                        ("client", &escape(&context.client_name)),
                        ("score", &rating.score.to_string()),
                    ],
                );
                let mut staff: Vec<&String> = new.assignee_id.iter().chain(context.manager_id.iter()).collect();
                staff.dedup();
                for employee in staff {
                    out.push(notice(Recipient::Employee(employee.clone()), new, vec![line.clone()]));
                }
            }
            if by_client && new.status == TicketStatus::Cancelled && old.status != TicketStatus::Cancelled {
                if let Some(assignee) = &new.assignee_id {
                    out.push(notice(
                        Recipient::Employee(assignee.clone()),
                        new,
                        vec![client_line(texts::NOTICE_CLIENT_CANCELLED.get(lang))],
                    ));
                }
            }
        }
        Change::CommentAdded { comment, files } => {
            let Some(ticket) = &context.ticket else { return out };
            let with_files = |out: &mut Vec<Notice>, to: Recipient| files_notice(out, to, ticket, files, settings);
            match comment.author_kind {
                // Internal notes are for staff only, and so are their files.
                AuthorKind::Employee if comment.internal => {}
                AuthorKind::Employee => {
                    let line = fill(
                        texts::NOTICE_COMMENT.get(lang),
                        &[("author", &escape(&comment.author_name)), ("text", &escape(&comment.text))],
                    );
                    let client = Recipient::Contact(ticket.contact_id.clone());
                    out.push(notice(client.clone(), ticket, vec![line]));
                    with_files(&mut out, client);
                }
                AuthorKind::Client => {
                    if let Some(assignee) = &ticket.assignee_id {
                        let text = if comment.text.is_empty() {
                            texts::FILES_ONLY.get(lang).to_owned()
                        } else {
                            escape(&comment.text)
                        };
                        let line = fill(
                            texts::NOTICE_CLIENT_COMMENT.get(lang),
                            &[
                                ("contact", &escape(&context.contact_name)),
                                ("client", &escape(&context.client_name)),
                                ("text", &text),
                            ],
                        );
                        out.push(notice(Recipient::Employee(assignee.clone()), ticket, vec![line]));
                        with_files(&mut out, Recipient::Employee(assignee.clone()));
                    }
                }
            }
        }
        Change::CallMeRequested(request) => {
            if let Some(manager) = &context.manager_id {
                let html = fill(
                    texts::NOTICE_CALL_ME.get(lang),
                    &[
                        ("contact", &escape(&context.contact_name)),
                        ("client", &escape(&context.client_name)),
                        ("phone", &escape(&context.contact_phone)),
                    ],
                );
                let _ = request;
                out.push(Notice {
                    to: Recipient::Employee(manager.clone()),
                    html,
                    url: None,
                    rate: None,
                    files: vec![],
                });
            }
        }
        // Told as the files of the ticket or comment it joined ([`super::Dispatcher::owed`]).
        Change::FilesAdded { .. } | Change::Nothing => {}
    }
    out
}

/// The files after a notice's words: a notice of their own, with the ticket's link for the
/// words said instead if Telegram will not take them. None without files.
fn files_notice(
    out: &mut Vec<Notice>,
    to: Recipient,
    ticket: &Ticket,
    files: &[StoredFile],
    settings: &NoticeSettings,
) {
    if !files.is_empty() {
        let url = Some(settings.ticket_url(ticket.id));
        out.push(Notice { to, html: String::new(), url, rate: None, files: files.to_vec() });
    }
}

/// Splits a text into messages of at most [`MAX_MESSAGE_CHARS`] characters, at line breaks
/// where possible (never inside a character).
pub fn split_message(text: &str) -> Vec<String> {
    let mut parts = vec![];
    let mut current = String::new();
    let mut count = 0;
    for line in text.split_inclusive('\n') {
        let len = line.chars().count();
        if count + len > MAX_MESSAGE_CHARS && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
            count = 0;
        }
        if len > MAX_MESSAGE_CHARS {
            for c in line.chars() {
                if count == MAX_MESSAGE_CHARS {
                    // Never cut an HTML entity (`&amp;`) in two: Telegram refuses the halves.
                    let carry = match current.rfind('&') {
                        Some(at) if !current[at..].contains(';') && current.len() - at <= 8 => current.split_off(at),
                        _ => String::new(),
                    };
                    parts.push(std::mem::replace(&mut current, carry));
                    count = current.chars().count();
                }
                current.push(c);
                count += 1;
            }
        } else {
            current.push_str(line);
            count += len;
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}
