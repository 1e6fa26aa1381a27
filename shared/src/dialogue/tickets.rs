//! What a registered contact does: the main menu, new tickets (from the menu or by writing
//! straight to the bot), and messages attached to an active ticket. Albums: the first part to
//! arrive decides where the album goes and claims it; later parts follow the claim.

use super::*;

/// Tickets per page of an inline ticket list.
pub(crate) const PAGE_SIZE: usize = 6;

/// A file name quoted in a reply is cut to this many characters (file systems' usual limit).
const FILE_NAME_SHOWN: usize = 255;

/// The subject is at most this many characters (Unicode scalar values, not bytes).
pub const SUBJECT_CHARS: usize = 50;

pub(super) fn contact_step(me: &Me<'_>, user: &UserRecord, input: &Inbound, facts: &Facts) -> Result<Outcome, Need> {
    match &input.event {
        // `/start` puts the dialogue back at rest, saying so if a message was waiting.
        Event::Command(Command::Start) => menu(me, facts, texts::MENU_PROMPT.get(me.lang), dropped(user, me.lang)),
        Event::Command(Command::Menu | Command::Help) | Event::UnknownCommand => commands::help(me, user, facts),
        Event::Command(Command::Company) => commands::switch_company(me, user, facts),
        Event::Command(Command::Unlink) => Ok(commands::unlink(user, me.lang)),
        Event::Message(content) => message(me, user, input, content, facts),
        Event::Unsupported(kind) => Ok(Outcome {
            state: user.state.clone(),
            effects: vec![],
            replies: vec![text(
                &texts::fill(texts::UNSUPPORTED.get(me.lang), &[("kind", texts::unsupported_kind(*kind, me.lang))]),
                Keyboard::Keep,
            )],
        }),
        // Shared contacts, presses, blocking, deep links, edits and `/language` (for everyone)
        // are handled before a contact's step.
        Event::Command(Command::Language | Command::Tickets)
        | Event::Contact { .. }
        | Event::Press { .. }
        | Event::BlockedBot(_)
        | Event::OpenTicket(_)
        | Event::Edited { .. } => menu(me, facts, texts::MENU_PROMPT.get(me.lang), vec![]),
    }
}

/// Splits a message into subject and message: the first 50 characters are the subject.
pub fn split_subject(text: &str) -> (String, String) {
    let text = text.trim();
    let mut chars = text.chars();
    let subject: String = chars.by_ref().take(SUBJECT_CHARS).collect();
    (subject, chars.collect())
}

/// The subject of a ticket made of files only: ticket data, in the desk's language (the spec's
/// «Файлы от [Ваше имя]») whatever the client's.
pub fn files_subject(name: &str) -> String {
    texts::fill(texts::FILES_SUBJECT.ru, &[("name", name)])
}

pub(crate) fn counts(tickets: &[TicketSummary]) -> TicketCounts {
    TicketCounts::from_statuses(tickets.iter().map(|t| t.status))
}

pub(super) fn tickets<'f>(me: &Me<'_>, facts: &'f Facts) -> Result<&'f [TicketSummary], Need> {
    facts.tickets.as_deref().ok_or_else(|| Need::Tickets { contact_id: me.contact_id.to_owned() })
}

pub(super) fn active(tickets: &[TicketSummary]) -> Vec<&TicketSummary> {
    tickets.iter().filter(|t| t.status.is_active()).collect()
}

/// The main menu after `extra` replies, the dialogue back at rest.
pub(super) fn menu(me: &Me<'_>, facts: &Facts, prompt: &str, mut extra: Vec<Reply>) -> Result<Outcome, Need> {
    let counts = counts(tickets(me, facts)?);
    extra.push(text(prompt, main_menu(counts, me.lang)));
    Ok(Outcome { state: State::Idle, effects: vec![], replies: extra })
}

/// The main menu after `extra` replies, the dialogue where it was (a waiting message waits on).
pub(super) fn menu_keeping(
    me: &Me<'_>,
    user: &UserRecord,
    facts: &Facts,
    prompt: &str,
    extra: Vec<Reply>,
) -> Result<Outcome, Need> {
    Ok(Outcome { state: user.state.clone(), ..menu(me, facts, prompt, extra)? })
}

/// What a step that abandons the dialogue's state says first: that the message waiting for
/// "new or attach?" was not sent (nothing written is dropped without a word).
pub(super) fn dropped(user: &UserRecord, lang: Lang) -> Vec<Reply> {
    match &user.state {
        State::NewOrAttach { .. } | State::ChoosingTicketToAttach { .. } => {
            vec![text(texts::PENDING_DROPPED.get(lang), Keyboard::Keep)]
        }
        _ => vec![],
    }
}

fn message(me: &Me<'_>, user: &UserRecord, input: &Inbound, content: &Content, facts: &Facts) -> Result<Outcome, Need> {
    // Menu buttons arrive as their label; they act whatever the dialogue was waiting for, and
    // a message that waited for "new or attach?" is said not to have been sent.
    if content.files.is_empty() && content.too_large.is_empty() && content.album.is_none() {
        let button = content.text.as_deref().map(str::trim).and_then(MenuButton::pressed);
        if let Some(button) = button {
            let said = dropped(user, me.lang);
            return match button {
                MenuButton::NewTicket => {
                    let mut replies = said;
                    replies.push(text(texts::NEW_TICKET_PROMPT.get(me.lang), Keyboard::Keep));
                    Ok(Outcome { state: State::AwaitingNewTicket, effects: vec![], replies })
                }
                MenuButton::Status => actions::list(me, facts, TicketList::Status, 0, said),
                MenuButton::Comment => actions::list(me, facts, TicketList::Comment, 0, said),
                MenuButton::Cancel => actions::list(me, facts, TicketList::Cancel, 0, said),
                MenuButton::Question => actions::list(me, facts, TicketList::Question, 0, said),
                MenuButton::CallMe => actions::call_me(me, input, facts).map(|mut outcome| {
                    outcome.replies.splice(0..0, said);
                    outcome
                }),
            };
        }
    }
    if let Some(album) = &content.album {
        if let Some(target) = facts.album.as_ref().ok_or_else(|| Need::Album(album.clone()))? {
            if let Some(outcome) = album_part(me, user, content, target, facts)? {
                return Ok(outcome);
            }
        }
    }
    // A Telegram reply to the bot's message about one of the contact's tickets: a comment there.
    if let Some(outcome) = super::replies::comment_by_reply(me, user, input, content, facts)? {
        return Ok(outcome);
    }
    let (pending, warnings) = take_content(content, facts, me.lang)?;
    if pending.text.is_none() && pending.files.is_empty() {
        // Nothing could be taken (every file too large): say so, create nothing.
        return Ok(Outcome { state: user.state.clone(), effects: vec![], replies: warnings });
    }
    // Claim an album only if nobody has: a part whose claim no longer matches the dialogue
    // overwrites it rather than failing on it forever.
    let first_part = pending.album.is_some() && matches!(facts.album, Some(None));
    // A second message while the choice waits joins the first: nothing sent is dropped. One
    // sent long after starts over; one that does not fit is refused with a word.
    let pending = match &user.state {
        State::NewOrAttach { pending: earlier } | State::ChoosingTicketToAttach { pending: earlier } => {
            if earlier.is_stale_for(&pending) {
                pending
            } else if earlier.has_room_for(&pending) {
                merge(earlier.clone(), pending)
            } else {
                let mut replies = warnings;
                replies.push(text(texts::PENDING_FULL.get(me.lang), Keyboard::Keep));
                return Ok(Outcome { state: user.state.clone(), effects: vec![], replies });
            }
        }
        _ => pending,
    };
    match &user.state {
        State::AwaitingNewTicket => create_ticket(me, pending, facts, warnings, first_part),
        State::AwaitingComment { ticket_id, completed } => {
            actions::comment(me, input, (*ticket_id, *completed), pending, facts, warnings)
        }
        _ if active(tickets(me, facts)?).is_empty() => create_ticket(me, pending, facts, warnings, first_part),
        _ => {
            let mut effects = vec![];
            if let Some(album) = &content.album {
                effects.push(Effect::ClaimAlbum {
                    album: album.clone(),
                    target: AlbumTarget::Pending,
                    first: first_part,
                });
            }
            let buttons = vec![
                vec![InlineButton::new(texts::BTN_NEW_REQUEST.get(me.lang), Press::NewTicket)],
                vec![InlineButton::new(texts::BTN_ATTACH.get(me.lang), Press::Attach)],
            ];
            let mut replies = warnings;
            replies.push(text(texts::NEW_OR_ATTACH.get(me.lang), Keyboard::Inline(buttons)));
            Ok(Outcome { state: State::NewOrAttach { pending }, effects, replies })
        }
    }
}

/// Two messages waiting for one choice, as one: texts joined by a line break, files together.
fn merge(earlier: Pending, later: Pending) -> Pending {
    let text = match (earlier.text, later.text) {
        (Some(a), Some(b)) => Some(format!("{a}\n{b}")),
        (a, b) => a.or(b),
    };
    let mut files = earlier.files;
    files.extend(later.files);
    let mut messages = earlier.messages;
    messages.extend(later.messages);
    messages.truncate(Pending::MAX_MESSAGES);
    let (album, since) = (later.album.or(earlier.album), earlier.since.or(later.since));
    Pending { text, files, album, since, messages }
}

/// The message's text and stored files, and warnings about files that could not be taken.
pub(super) fn take_content(content: &Content, facts: &Facts, lang: Lang) -> Result<(Pending, Vec<Reply>), Need> {
    let stored =
        if content.files.is_empty() { StoredFiles::default() } else { facts.files.clone().ok_or(Need::StoreFiles)? };
    let too_large = content.too_large.iter().map(|name| (name, Rejection::TooLarge));
    let warnings = too_large
        .chain(stored.rejected.iter().map(|file| (&file.name, file.why)))
        .map(|(name, why)| {
            let template = match why {
                Rejection::TooLarge => texts::FILE_TOO_LARGE.get(lang),
                Rejection::Unreadable => texts::FILE_UNREADABLE.get(lang),
                Rejection::NotAnImage => texts::FILE_NOT_AN_IMAGE.get(lang),
                Rejection::PictureTooLarge => texts::FILE_PICTURE_TOO_LARGE.get(lang),
            };
            text(&texts::fill(template, &[("name", &quoted(name, FILE_NAME_SHOWN))]), Keyboard::Keep)
        })
        .collect();
    let text = content.text.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
    let pending = Pending {
        text,
        files: stored.stored,
        album: content.album.clone(),
        since: content.sent_at,
        messages: content.message_id.into_iter().collect(),
    };
    Ok((pending, warnings))
}

/// A later part of an album that is claimed: its files go where the first part went, and a
/// caption it carries fills in what the first part lacked. Returns `None` when the claim no
/// longer matches the dialogue (the part is then handled as a message of its own).
fn album_part(
    me: &Me<'_>,
    user: &UserRecord,
    content: &Content,
    target: &AlbumTarget,
    facts: &Facts,
) -> Result<Option<Outcome>, Need> {
    let (part, warnings) = take_content(content, facts, me.lang)?;
    let mut effects = vec![];
    let mut state = user.state.clone();
    match target {
        AlbumTarget::Ticket { ticket_id, comment_id } => {
            if !part.files.is_empty() {
                effects.push(Effect::AddFiles {
                    ticket_id: *ticket_id,
                    comment_id: comment_id.clone(),
                    files: part.files.clone(),
                });
            }
            if let Some(caption) = &part.text {
                match comment_id {
                    Some(comment_id) => effects.push(Effect::SetCommentText {
                        ticket_id: *ticket_id,
                        comment_id: comment_id.clone(),
                        text: caption.clone(),
                    }),
                    None => {
                        let placeholder = files_subject(me.name);
                        let ticket = tickets(me, facts)?.iter().find(|t| t.id == *ticket_id);
                        if ticket.is_some_and(|t| t.subject == placeholder) {
                            let (subject, message) = split_subject(caption);
                            effects.push(Effect::SetSubject { ticket_id: *ticket_id, placeholder, subject, message });
                        }
                    }
                }
            }
            if !effects.is_empty() {
                effects.extend(edits::remembered(*ticket_id, part.messages));
            }
        }
        AlbumTarget::Pending => {
            let (State::NewOrAttach { pending } | State::ChoosingTicketToAttach { pending }) = &mut state else {
                return Ok(None);
            };
            if pending.album != part.album {
                return Ok(None);
            }
            if !pending.has_room_for(&part) {
                let mut replies = warnings;
                replies.push(text(texts::PENDING_FULL.get(me.lang), Keyboard::Keep));
                return Ok(Some(Outcome { state: user.state.clone(), effects: vec![], replies }));
            }
            pending.files.extend(part.files);
            if pending.text.is_none() {
                pending.text = part.text;
            }
            pending.messages.extend(part.messages);
            pending.messages.truncate(Pending::MAX_MESSAGES);
        }
    }
    // Only the part that claimed the album confirms it.
    Ok(Some(Outcome { state, effects, replies: warnings }))
}

fn create_ticket(
    me: &Me<'_>,
    pending: Pending,
    facts: &Facts,
    mut replies: Vec<Reply>,
    first_part: bool,
) -> Result<Outcome, Need> {
    let mut counts = counts(tickets(me, facts)?);
    let id = facts.new_ticket_id.ok_or(Need::NewTicketId)?;
    let (subject, message) = match &pending.text {
        Some(text) => split_subject(text),
        None => (files_subject(me.name), String::new()),
    };
    let mut effects = vec![Effect::CreateTicket(NewTicket {
        id,
        subject,
        message,
        contact_id: me.contact_id.to_owned(),
        client_id: me.client_id.to_owned(),
        files: pending.files,
    })];
    effects.extend(edits::remembered(id, pending.messages));
    if let Some(album) = pending.album {
        let target = AlbumTarget::Ticket { ticket_id: id, comment_id: None };
        effects.push(Effect::ClaimAlbum { album, target, first: first_part });
    }
    counts.active += 1;
    replies.push(text(
        &texts::fill(texts::TICKET_CREATED.get(me.lang), &[("id", &id.to_string())]),
        main_menu(counts, me.lang),
    ));
    Ok(Outcome { state: State::Idle, effects, replies })
}

/// "➕ Новая заявка" answering "new or attach?": the waiting message becomes a ticket.
pub(super) fn new_ticket_chosen(
    me: &Me<'_>,
    press_id: &str,
    pending: &Pending,
    facts: &Facts,
) -> Result<Outcome, Need> {
    create_ticket(me, pending.clone(), facts, vec![answer(press_id, None)], false)
}

/// "💬 Прикрепить к заявке" answering "new or attach?": the list of active tickets.
pub(super) fn attach_chosen(me: &Me<'_>, press_id: &str, pending: &Pending, facts: &Facts) -> Result<Outcome, Need> {
    let pressed = answer(press_id, None);
    let tickets = tickets(me, facts)?;
    if active(tickets).is_empty() {
        // Everything was closed in the meantime: a new ticket is what is left.
        return create_ticket(me, pending.clone(), facts, vec![pressed], false);
    }
    Ok(Outcome {
        state: State::ChoosingTicketToAttach { pending: pending.clone() },
        effects: vec![],
        replies: vec![pressed, attach_list(tickets, 0, me.lang)],
    })
}

/// Another page of the tickets to attach to.
pub(super) fn attach_page(
    me: &Me<'_>,
    user: &UserRecord,
    press_id: &str,
    page: usize,
    facts: &Facts,
) -> Result<Outcome, Need> {
    Ok(Outcome {
        state: user.state.clone(),
        effects: vec![],
        replies: vec![answer(press_id, None), attach_list(tickets(me, facts)?, page, me.lang)],
    })
}

/// The ticket `id` chosen to attach the waiting message to: it becomes a comment there.
pub(super) fn attach_to(
    me: &Me<'_>,
    user: &UserRecord,
    input: &Inbound,
    press_id: &str,
    pending: &Pending,
    id: u64,
    facts: &Facts,
) -> Result<Outcome, Need> {
    let tickets = tickets(me, facts)?;
    // Checked on a consistent read of the ticket (the contact's index lags writes): it must be
    // this contact's and still active.
    let current = facts.ticket(id)?;
    let Some(ticket) = current.filter(|t| t.contact_id == me.contact_id && t.status.is_active()) else {
        let refusal = texts::fill(texts::TICKET_NOT_AVAILABLE.get(me.lang), &[("id", &id.to_string())]);
        let others: Vec<&TicketSummary> = active(tickets).into_iter().filter(|t| t.id != id).collect();
        // The message still waits: the other active tickets, or, with none left, a new ticket.
        let next = if others.is_empty() {
            let buttons = vec![vec![InlineButton::new(texts::BTN_NEW_REQUEST.get(me.lang), Press::NewTicket)]];
            text(texts::NO_TICKET_TO_ATTACH.get(me.lang), Keyboard::Inline(buttons))
        } else {
            ticket_list(TicketList::Attach, &others, 0, me.lang)
        };
        return Ok(Outcome {
            state: user.state.clone(),
            effects: vec![],
            replies: vec![answer(press_id, Some(&refusal)), next],
        });
    };
    let confirmation = text(&comment_added(ticket.id, me.lang), main_menu(counts_with(me, tickets, ticket), me.lang));
    Ok(add_comment(me, input, (ticket.id, false), pending.clone(), vec![answer(press_id, None)], false, confirmation))
}

/// The counts of the contact's tickets as listed (the contact's index, which may lag a write
/// by a moment), with `current` as a consistent read found it.
pub(super) fn counts_with(me: &Me<'_>, tickets: &[TicketSummary], current: &crate::domain::Ticket) -> TicketCounts {
    let others = tickets.iter().filter(|t| t.id != current.id).map(|t| t.status);
    let own = (current.contact_id == me.contact_id).then_some(current.status);
    TicketCounts::from_statuses(others.chain(own))
}

fn attach_list(tickets: &[TicketSummary], page: usize, lang: Lang) -> Reply {
    ticket_list(TicketList::Attach, &active(tickets), page, lang)
}

pub(super) fn comment_added(ticket_id: u64, lang: Lang) -> String {
    texts::fill(texts::COMMENT_ADDED.get(lang), &[("id", &ticket_id.to_string())])
}

/// The id of the comment an update makes: from the update's id, so a redelivery (stopped by the
/// update's marker) could only ever write the same comment again.
pub(super) fn comment_id(input: &Inbound) -> String {
    format!("c{}", input.update_id)
}

/// A client comment with what the message carried on `(ticket id, whether it is completed)`;
/// an album is claimed for it (`first_part`: this update carries the album's first part to
/// arrive). The last reply is the `confirmation` (with the main menu).
pub(super) fn add_comment(
    me: &Me<'_>,
    input: &Inbound,
    (ticket_id, on_completed): (u64, bool),
    pending: Pending,
    mut replies: Vec<Reply>,
    first_part: bool,
    confirmation: Reply,
) -> Outcome {
    let comment_id = comment_id(input);
    let mut effects = vec![Effect::AddComment(NewComment {
        ticket_id,
        on_completed,
        comment_id: comment_id.clone(),
        contact_id: me.contact_id.to_owned(),
        author_name: me.name.to_owned(),
        text: pending.text.unwrap_or_default(),
        files: pending.files,
    })];
    effects.extend(edits::remembered(ticket_id, pending.messages));
    if let Some(album) = pending.album {
        let target = AlbumTarget::Ticket { ticket_id, comment_id: Some(comment_id) };
        effects.push(Effect::ClaimAlbum { album, target, first: first_part });
    }
    replies.push(confirmation);
    Outcome { state: State::Idle, effects, replies }
}

impl TicketList {
    fn prompt(self, lang: Lang) -> &'static str {
        match self {
            TicketList::Attach => texts::CHOOSE_TICKET_TO_ATTACH.get(lang),
            TicketList::Status => texts::CHOOSE_TICKET_STATUS.get(lang),
            TicketList::Comment => texts::CHOOSE_TICKET_COMMENT.get(lang),
            TicketList::Cancel => texts::CHOOSE_TICKET_CANCEL.get(lang),
            TicketList::Question => texts::CHOOSE_TICKET_DONE.get(lang),
            TicketList::Assigned => texts::CHOOSE_ASSIGNED_TICKET.get(lang),
        }
    }

    /// The tickets the list offers.
    pub(super) fn applies(self, status: crate::domain::TicketStatus) -> bool {
        match self {
            TicketList::Question => status.is_completed(),
            TicketList::Attach
            | TicketList::Status
            | TicketList::Comment
            | TicketList::Cancel
            | TicketList::Assigned => status.is_active(),
        }
    }
}

/// An inline list of tickets (`#id subject`), newest first, `PAGE_SIZE` a page, with
/// "back"/"forward" buttons: a [`Press::Pick`] per ticket, a [`Press::Page`] per direction.
pub(crate) fn ticket_list(list: TicketList, shown: &[&TicketSummary], page: usize, lang: Lang) -> Reply {
    let pages = shown.len().div_ceil(PAGE_SIZE).max(1);
    let page = page.min(pages - 1);
    let mut rows: Vec<Vec<InlineButton>> = shown
        .iter()
        .skip(page * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|t| vec![InlineButton::new(ticket_label(t), Press::Pick(list, t.id))])
        .collect();
    let mut nav = vec![];
    if page > 0 {
        nav.push(InlineButton::new(texts::BTN_PREV_PAGE.get(lang), Press::Page(list, page - 1)));
    }
    if page + 1 < pages {
        nav.push(InlineButton::new(texts::BTN_NEXT_PAGE.get(lang), Press::Page(list, page + 1)));
    }
    if !nav.is_empty() {
        rows.push(nav);
    }
    text(list.prompt(lang), Keyboard::Inline(rows))
}

/// `#42 Принтер не печатает` — shortened to fit a button.
fn ticket_label(ticket: &TicketSummary) -> String {
    const MAX: usize = 40;
    let mut label = format!("#{} {}", ticket.id, ticket.subject);
    if label.chars().count() > MAX {
        label = label.chars().take(MAX - 1).collect::<String>() + "…";
    }
    label
}
