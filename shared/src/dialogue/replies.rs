//! Conversation in place: a client's Telegram reply to the bot's message about one of their
//! tickets is a comment on it, as the menu's «💬 Добавить комментарий» would make it; an
//! employee's reply to a notice about a ticket is a staff comment on it ([`staff_reply`]); and a
//! deep link `/start t<id>` opens the ticket's card.
//!
//! ```text
//! bot   🔔 Заявка #42 … Статус: В работе                 (a notice: its message id remembered)
//! user  ↩ (reply to it) Принтер снова не печатает
//! bot   ✔️ Ваш комментарий добавлен к обращению #42. …    [main menu]
//!
//! (the assignee's chat)
//! bot   📋 Обращение #42 … 💬 Клиент Анна (ООО Ромашка) оставил комментарий: …  (remembered)
//! staff ↩ (reply to it) Заменили ролик, проверьте
//! bot   ✔️ Комментарий добавлен к обращению #42. Клиент получит его текст в Telegram.
//! (the client's chat, from the notifier)
//! bot   📋 Обращение #42 … 💬 Новый комментарий от Пётр Инженеров: Заменили ролик, проверьте
//! staff ↩ (reply to the first notice) !клиент путает модели     (an internal note)
//! bot   🔒 Внутренняя заметка добавлена к обращению #42. Клиент её не видит. …
//! ```
//!
//! Which ticket a message is about: the bot's answers in the chat (a creation confirmation, a
//! card, a comment confirmation) ride in the webhook's response, so their message ids are never
//! known; each names its one ticket in a fixed sentence, and Telegram quotes the replied-to
//! message, so the number is read from that sentence ([`ticket_named_in`]). The notifier's
//! notices are sent through the Bot API, and their ids are remembered
//! ([`crate::ports::MessageTickets`]): one read. Either way the ticket counts only if it is the
//! replier's own on a consistent read: a reply naming another's ticket is an ordinary message.

use super::tickets::{comment_id, dropped, menu, take_content};
use super::*;

/// The bot's answers about one ticket that the webhook gives inline: their text names it.
const ABOUT_ONE_TICKET: [texts::Text; 6] = [
    texts::TICKET_CREATED,
    texts::COMMENT_ADDED,
    texts::COMMENT_ADDED_AS_QUESTION,
    texts::TICKET_CARD,
    texts::EDIT_ADDED,
    texts::EDIT_TOO_LATE,
];

/// The ticket a message of the bot's answers about, read from its text: the number where one of
/// the answers about one ticket has `{id}`, in any language (the client's may have changed since).
pub fn ticket_named_in(text: &str) -> Option<u64> {
    ABOUT_ONE_TICKET.iter().flat_map(|t| t.any()).find_map(|template| {
        let (before, after) = template.split_once("{id}")?;
        let rest = text.strip_prefix(before)?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let follows = after.chars().next();
        if follows.is_some_and(|c| !rest[digits.len()..].starts_with(c)) {
            return None;
        }
        digits.parse().ok()
    })
}

/// The `/start` payload of a deep link that opens ticket `id` (`https://t.me/<bot>?start=t<id>`).
pub fn deep_link_payload(id: u64) -> String {
    format!("t{id}")
}

/// The ticket a `/start` payload opens.
pub fn ticket_of_payload(payload: &str) -> Option<u64> {
    let digits = payload.strip_prefix('t')?;
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The ticket the message replies about, if any: named in the bot's answer, else remembered
/// for the bot's notice (one read).
fn replied_ticket(replied: &RepliedTo, facts: &Facts) -> Result<Option<u64>, Need> {
    if let Some(id) = replied.text.as_deref().and_then(ticket_named_in) {
        return Ok(Some(id));
    }
    let remembered = facts.replied_to.as_ref().ok_or(Need::RepliedTo(replied.message_id))?;
    Ok(remembered.as_ref().map(|m| m.ticket_id))
}

/// A reply to the bot's message about one of the contact's tickets: the comment the menu flow
/// would make, whatever the dialogue was waiting for (a waiting message is said to be dropped,
/// as a menu button does). A completed ticket gets it as a question; a cancelled one offers to
/// make it a new ticket. `None`: not such a reply, the message is an ordinary one.
pub(super) fn comment_by_reply(
    me: &Me<'_>,
    user: &UserRecord,
    input: &Inbound,
    content: &Content,
    facts: &Facts,
) -> Result<Option<Outcome>, Need> {
    let Some(replied) = &content.reply_to else { return Ok(None) };
    let Some(id) = replied_ticket(replied, facts)? else { return Ok(None) };
    // The replier's own ticket, on a consistent read (the same read the comment is decided on).
    let current = facts.ticket(id)?;
    if !current.as_ref().is_some_and(|t| t.id == id && t.contact_id == me.contact_id) {
        return Ok(None);
    }
    let (pending, warnings) = take_content(content, facts, me.lang)?;
    if pending.text.is_none() && pending.files.is_empty() {
        return Ok(Some(Outcome { state: user.state.clone(), effects: vec![], replies: warnings }));
    }
    let mut said = dropped(user, me.lang);
    said.extend(warnings);
    // Asked about as it is: a completed ticket's comment is a question, confirmed as such.
    actions::comment(me, input, (id, true), pending, facts, said).map(Some)
}

/// `/start t<id>`: the card of the contact's own ticket (the dialogue stays where it was), or,
/// for a ticket that is not theirs or does not exist, what `/start` gives.
pub(super) fn open_card(
    settings: &DialogueSettings,
    me: &Me<'_>,
    user: &UserRecord,
    id: u64,
    facts: &Facts,
) -> Result<Outcome, Need> {
    let ticket = facts.ticket(id)?;
    match ticket.as_ref().filter(|t| t.id == id && t.contact_id == me.contact_id) {
        Some(ticket) => Ok(Outcome {
            state: user.state.clone(),
            effects: vec![],
            replies: vec![text(&actions::card_text(settings, ticket, me.lang), Keyboard::Keep)],
        }),
        None => menu(me, facts, texts::MENU_PROMPT.get(me.lang), dropped(user, me.lang)),
    }
}

/// An employee's message. A Telegram reply to a notice about a ticket that the bot sent to this
/// chat (its id remembered for this chat: an id from another chat maps to nothing here) is a
/// staff comment on that ticket as this employee: the notifier tells the client as it tells them
/// of a comment made through the staff API. Any ticket that exists, whatever its status (the API
/// allows staff that too). An internal note instead, never sent to the client, when the text
/// starts with `!` (not stored), or when the reply has files and no text: clients' notices carry
/// text only, and an album's parts arrive separately, so its captionless part may come before
/// the one whose `!` makes it a note (a note is the side that cannot leak).
///
/// A reply the bot cannot place is answered so, and changes nothing: a call-back request's
/// notice is about no one ticket (the client asked to be called; no newest-ticket guess), and a
/// message not remembered for this chat (an old notice, a card, a forged id) names none. Any
/// other message of an employee gets what the bot is for them ([`texts::EMPLOYEE_INFO`]).
pub(super) fn staff_reply(
    user: &UserRecord,
    input: &Inbound,
    content: &Content,
    facts: &Facts,
    lang: Lang,
) -> Result<Outcome, Need> {
    let Some(Link::Employee { employee_id, name }) = &user.link else {
        return Ok(not_a_contact(user, &input.event, lang));
    };
    let keep = |replies| Ok(Outcome { state: user.state.clone(), effects: vec![], replies });
    if let Some(album) = &content.album {
        let claim = facts.album.as_ref().ok_or_else(|| Need::Album(album.clone()))?;
        if let Some(AlbumTarget::Ticket { ticket_id, comment_id: Some(comment_id) }) = claim {
            return staff_album_part(user, input, content, (*ticket_id, comment_id), (employee_id, name), facts, lang);
        }
    }
    let Some(replied) = &content.reply_to else { return Ok(not_a_contact(user, &input.event, lang)) };
    let remembered = facts.replied_to.as_ref().ok_or(Need::RepliedTo(replied.message_id))?;
    let Some(id) = remembered.as_ref().map(|m| m.ticket_id) else {
        let why = if replied.text.as_deref().is_some_and(is_call_me_notice) {
            texts::STAFF_REPLY_CALL_ME
        } else {
            texts::STAFF_REPLY_NOT_ATTACHED
        };
        return keep(vec![text(why.get(lang), Keyboard::Keep)]);
    };
    let ticket = facts.ticket(id)?;
    if ticket.as_ref().is_none_or(|t| t.id != id) {
        return keep(vec![text(texts::STAFF_REPLY_NOT_ATTACHED.get(lang), Keyboard::Keep)]);
    }
    let (pending, mut replies) = take_content(content, facts, lang)?;
    let (text_stored, internal) = staff_text(pending.text);
    if text_stored.is_none() && pending.files.is_empty() {
        if replies.is_empty() {
            replies.push(text(texts::STAFF_REPLY_EMPTY.get(lang), Keyboard::Keep));
        }
        return keep(replies);
    }
    let comment = StaffComment {
        ticket_id: id,
        comment_id: comment_id(input),
        employee_id: employee_id.clone(),
        author_name: name.clone(),
        text: text_stored.unwrap_or_default(),
        internal,
        files: pending.files,
    };
    let mut effects = vec![];
    if let Some(album) = pending.album {
        let target = AlbumTarget::Ticket { ticket_id: id, comment_id: Some(comment.comment_id.clone()) };
        effects.push(Effect::ClaimAlbum { album, target, first: matches!(facts.album, Some(None)) });
    }
    effects.insert(0, Effect::AddStaffComment(comment));
    replies.push(staff_confirmation(id, internal, lang));
    Ok(Outcome { state: user.state.clone(), effects, replies })
}

/// A later part of an employee's album that made a comment: without a caption its files join
/// that comment; with one, it makes a comment of its own with this part's files — a note for a
/// `!` caption, one for the client otherwise — and is confirmed so. (The comment the album made
/// may be public, when its first part to arrive had a caption for the client: a `!` part's files
/// and text never join it.)
fn staff_album_part(
    user: &UserRecord,
    input: &Inbound,
    content: &Content,
    (ticket_id, claimed): (u64, &str),
    (employee_id, name): (&str, &str),
    facts: &Facts,
    lang: Lang,
) -> Result<Outcome, Need> {
    let (part, mut replies) = take_content(content, facts, lang)?;
    let (caption, internal) = staff_text(part.text);
    let effects = match caption {
        Some(caption) => {
            let comment = StaffComment {
                ticket_id,
                comment_id: comment_id(input),
                employee_id: employee_id.to_owned(),
                author_name: name.to_owned(),
                text: caption,
                internal,
                files: part.files,
            };
            replies.push(staff_confirmation(ticket_id, internal, lang));
            vec![Effect::AddStaffComment(comment)]
        }
        None if part.files.is_empty() => vec![],
        None => vec![Effect::AddFiles { ticket_id, comment_id: Some(claimed.to_owned()), files: part.files }],
    };
    Ok(Outcome { state: user.state.clone(), effects, replies })
}

/// An employee's reply text as stored, and whether it is an internal note: `!` first (it and
/// the whitespace after it are not stored), or no text at all (files alone).
fn staff_text(text: Option<String>) -> (Option<String>, bool) {
    match text {
        None => (None, true),
        Some(text) => match text.strip_prefix('!') {
            Some(note) => (Some(note.trim_start().to_owned()).filter(|t| !t.is_empty()), true),
            None => (Some(text), false),
        },
    }
}

fn staff_confirmation(id: u64, internal: bool, lang: Lang) -> Reply {
    let template = if internal { texts::STAFF_NOTE_ADDED } else { texts::STAFF_COMMENT_ADDED };
    text(&texts::fill(template.get(lang), &[("id", &id.to_string())]), Keyboard::Keep)
}

/// Whether a quoted message is a call-back request's notice: it begins as the notice does (in
/// any language: the employee's may have changed since), up to its first value (the quote is
/// the notice as plain text).
fn is_call_me_notice(quote: &str) -> bool {
    texts::NOTICE_CALL_ME.any().into_iter().any(|notice| {
        let lead = notice.split(['<', '{']).next().unwrap_or_default();
        !lead.is_empty() && quote.starts_with(lead)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialogue::tests::{self, texts_of as said};

    #[test]
    fn the_answers_about_one_ticket_name_it() {
        let named = |template: &str| ticket_named_in(&texts::fill(template, &[("id", "42"), ("subject", "Принтер")]));
        for template in ABOUT_ONE_TICKET.iter().flat_map(|t| t.any()) {
            assert_eq!(named(template), Some(42), "{template}");
        }
        // Other sentences with a number are not about one ticket the reply may comment on.
        for lang in Lang::ALL {
            assert_eq!(named(texts::TICKET_NOT_AVAILABLE.get(lang)), None);
            assert_eq!(named(texts::COMMENT_TICKET_CANCELLED.get(lang)), None);
        }
        assert_eq!(ticket_named_in("#42"), None);
        assert_eq!(ticket_named_in("📋 #"), None);
        assert_eq!(ticket_named_in("📋 #42"), None, "the card goes on after its number");
    }

    const TICKET: u64 = 42;

    fn employee() -> UserRecord {
        UserRecord {
            link: Some(Link::Employee { employee_id: "e2".into(), name: "Пётр".into() }),
            state: State::Idle,
            version: 2,
            language: None,
        }
    }

    fn ticket(status: crate::domain::TicketStatus) -> crate::domain::Ticket {
        tests::ticket(TICKET, "c1", status)
    }

    fn photo(unique: &str) -> IncomingFile {
        IncomingFile {
            file_id: format!("{unique}-id"),
            unique_id: unique.into(),
            kind: FileKind::Photo,
            name: format!("{unique}.jpg"),
            mime_type: None,
            size: Some(10),
        }
    }

    /// A reply to the bot's message 900, which Telegram quotes as `quoted`.
    fn reply(text: Option<&str>, quoted: &str) -> Content {
        Content {
            text: text.map(str::to_owned),
            reply_to: Some(RepliedTo { message_id: 900, text: Some(quoted.into()) }),
            ..Content::default()
        }
    }

    /// `user`'s message, each need answered: message 900 remembered as about `remembered`, the
    /// ticket as `ticket` (`None`: there is none), the album claimed as `claim`.
    fn run(
        user: &UserRecord,
        content: Content,
        remembered: Option<u64>,
        ticket: Option<crate::domain::Ticket>,
        claim: Option<AlbumTarget>,
    ) -> (Outcome, Vec<Need>) {
        let input = Inbound {
            update_id: 77,
            user_id: 7002,
            chat_id: 7002,
            event: Event::Message(content.clone()),
            language_code: None,
        };
        let settings = tests::settings();
        let mut facts = Facts::default();
        let mut needs = vec![];
        loop {
            match step(&settings, user, &input, &facts) {
                Ok(outcome) => return (outcome, needs),
                Err(need) => {
                    match &need {
                        Need::RepliedTo(900) => {
                            facts.replied_to = Some(remembered.map(crate::ports::RememberedMessage::of))
                        }
                        Need::Ticket(id) => facts.read_tickets.push((*id, ticket.clone())),
                        Need::Album(_) => facts.album = Some(claim.clone()),
                        Need::Tickets { .. } => facts.tickets = Some(vec![]),
                        Need::NewTicketId => facts.new_ticket_id = Some(5),
                        Need::Now => facts.now = Some(chrono::Utc::now()),
                        Need::StoreFiles => facts.files = Some(tests::stored(&content)),
                        other => panic!("not asked of a reply: {other:?}"),
                    }
                    assert!(!needs.contains(&need), "asked twice for {need:?}");
                    needs.push(need);
                }
            }
        }
    }

    fn staff_comment(outcome: &Outcome) -> &StaffComment {
        outcome
            .effects
            .iter()
            .find_map(|e| match e {
                Effect::AddStaffComment(c) => Some(c),
                _ => None,
            })
            .expect("a staff comment")
    }

    #[test]
    fn an_employees_reply_to_a_notice_is_a_comment_as_them_on_its_ticket() {
        use crate::domain::TicketStatus;
        let open = Some(ticket(TicketStatus::InProgress));
        let (outcome, needs) = run(&employee(), reply(Some("  Выезжаю в 15:00 "), "📋 …"), Some(TICKET), open, None);
        assert_eq!(needs, [Need::RepliedTo(900), Need::Ticket(TICKET)], "the mapping, the ticket: nothing else");
        assert_eq!(
            outcome.effects,
            [Effect::AddStaffComment(StaffComment {
                ticket_id: TICKET,
                comment_id: "c77".into(),
                employee_id: "e2".into(),
                author_name: "Пётр".into(),
                text: "Выезжаю в 15:00".into(),
                internal: false,
                files: vec![],
            })]
        );
        assert_eq!(said(&outcome), [texts::fill(texts::STAFF_COMMENT_ADDED.ru, &[("id", "42")])]);
        assert_eq!(outcome.state, State::Idle);

        // Staff comment on tickets in any status, as the staff API lets them.
        for status in [TicketStatus::Done, TicketStatus::Closed, TicketStatus::Cancelled] {
            let (outcome, _) = run(&employee(), reply(Some("Ок"), ""), Some(TICKET), Some(ticket(status)), None);
            assert_eq!(staff_comment(&outcome).text, "Ок", "{status:?}");
        }
    }

    #[test]
    fn a_bang_or_files_alone_make_an_internal_note() {
        use crate::domain::TicketStatus;
        let open = || Some(ticket(TicketStatus::New));
        let (note, _) = run(&employee(), reply(Some("!  клиент путает модели"), ""), Some(TICKET), open(), None);
        assert_eq!((staff_comment(&note).text.as_str(), staff_comment(&note).internal), ("клиент путает модели", true));
        assert_eq!(said(&note), [texts::fill(texts::STAFF_NOTE_ADDED.ru, &[("id", "42")])]);

        // Files without a word: a note (the client's notice would carry nothing of them).
        let files = Content { files: vec![photo("p1")], ..reply(None, "") };
        let (outcome, needs) = run(&employee(), files, Some(TICKET), open(), None);
        assert!(needs.contains(&Need::StoreFiles));
        let comment = staff_comment(&outcome);
        assert!(comment.internal && comment.text.is_empty());
        assert_eq!(comment.files[0].key, "files/p1");

        // A caption goes to the client with its photo.
        let captioned = Content { files: vec![photo("p1")], ..reply(Some("Вот схема"), "") };
        let (outcome, _) = run(&employee(), captioned, Some(TICKET), open(), None);
        assert!(!staff_comment(&outcome).internal && staff_comment(&outcome).files.len() == 1);

        // A bare «!» stores nothing.
        let (empty, _) = run(&employee(), reply(Some("! "), ""), Some(TICKET), open(), None);
        assert!(empty.effects.is_empty());
        assert_eq!(said(&empty), [texts::STAFF_REPLY_EMPTY.ru]);
    }

    #[test]
    fn a_reply_the_bot_cannot_place_is_answered_so_and_changes_nothing() {
        use crate::domain::TicketStatus;
        // Not remembered for this chat (another chat's id, an old notice, a card).
        let (outcome, needs) = run(&employee(), reply(Some("Ответ"), "📋 #42 Принтер"), None, None, None);
        assert_eq!(needs, [Need::RepliedTo(900)], "no ticket read for a message that names none");
        assert!(outcome.is_read_only(&employee()));
        assert_eq!(said(&outcome), [texts::STAFF_REPLY_NOT_ATTACHED.ru]);
        // Remembered, but the ticket is gone.
        let (outcome, _) = run(&employee(), reply(Some("Ответ"), ""), Some(TICKET), None, None);
        assert!(outcome.effects.is_empty());
        assert_eq!(said(&outcome), [texts::STAFF_REPLY_NOT_ATTACHED.ru]);
        // A call-back request's notice is about no one ticket.
        let call_me = texts::fill(
            texts::NOTICE_CALL_ME.ru,
            &[("contact", "Анна"), ("client", "ООО Ромашка"), ("phone", "+7 912 345-67-89")],
        )
        .replace("<b>", "")
        .replace("</b>", "");
        let (outcome, _) = run(&employee(), reply(Some("Перезвоню"), &call_me), None, None, None);
        assert!(outcome.effects.is_empty());
        assert_eq!(said(&outcome), [texts::STAFF_REPLY_CALL_ME.ru]);
        // A message that is no reply: what the bot is for staff, as before.
        let plain = Content { text: Some("Привет".into()), ..Content::default() };
        let (outcome, needs) = run(&employee(), plain, Some(TICKET), Some(ticket(TicketStatus::New)), None);
        assert!(needs.is_empty() && outcome.effects.is_empty());
        assert_eq!(said(&outcome), [texts::EMPLOYEE_INFO.ru]);
    }

    #[test]
    fn a_client_reply_to_a_message_remembered_for_no_ticket_of_theirs_is_no_staff_comment() {
        let client = UserRecord {
            link: Some(Link::Contact { contact_id: "c9".into(), client_id: "k9".into(), name: "Борис".into() }),
            state: State::Idle,
            version: 1,
            language: None,
        };
        let open = Some(ticket(crate::domain::TicketStatus::InProgress));
        let (outcome, _) = run(&client, reply(Some("Чужое"), ""), Some(TICKET), open, None);
        assert!(outcome.effects.iter().all(|e| !matches!(e, Effect::AddStaffComment(_) | Effect::AddComment(_))));
    }

    #[test]
    fn an_employees_album_makes_one_comment_and_a_bang_caption_never_goes_public() {
        use crate::domain::TicketStatus;
        let part = |unique: &str, caption: Option<&str>| Content {
            files: vec![photo(unique)],
            album: Some("alb".into()),
            ..reply(caption, "")
        };
        // The first part to arrive claims the album for its comment.
        let (first, _) = run(&employee(), part("p1", None), Some(TICKET), Some(ticket(TicketStatus::New)), None);
        let comment = staff_comment(&first);
        assert!(comment.internal, "no caption (yet): a note");
        let claimed = AlbumTarget::Ticket { ticket_id: TICKET, comment_id: Some(comment.comment_id.clone()) };
        assert!(first.effects.contains(&Effect::ClaimAlbum {
            album: "alb".into(),
            target: claimed.clone(),
            first: true
        }));

        // Later parts follow the claim, with no mapping or ticket read.
        let claim = Some(claimed);
        let (later, needs) = run(&employee(), part("p2", None), None, None, claim.clone());
        assert!(!needs.iter().any(|n| matches!(n, Need::RepliedTo(_) | Need::Ticket(_))), "{needs:?}");
        assert!(
            matches!(&later.effects[..], [Effect::AddFiles { ticket_id: TICKET, comment_id: Some(c), .. }] if c == "c77")
        );
        assert!(said(&later).is_empty(), "only the first part confirms");
        // A «!» caption makes a note of its own with its photo: it never joins the album's
        // comment, which is public when its first part had a caption for the client.
        let (noted, _) = run(&employee(), part("p3", Some("! для своих")), None, None, claim.clone());
        let note = staff_comment(&noted);
        assert!(note.internal && note.text == "для своих" && note.files.len() == 1, "{note:?}");
        assert!(!noted.effects.iter().any(|e| matches!(e, Effect::AddFiles { .. } | Effect::SetCommentText { .. })));
        assert_eq!(said(&noted), [texts::fill(texts::STAFF_NOTE_ADDED.ru, &[("id", "42")])]);
        // A caption for the client is a comment of its own with its photo.
        let (public, _) = run(&employee(), part("p4", Some("Готово")), None, None, claim);
        let comment = staff_comment(&public);
        assert!(!comment.internal && comment.text == "Готово" && comment.files.len() == 1);
        assert_eq!(said(&public), [texts::fill(texts::STAFF_COMMENT_ADDED.ru, &[("id", "42")])]);
    }

    #[test]
    fn a_deep_link_names_a_ticket() {
        assert_eq!(ticket_of_payload(&deep_link_payload(42)), Some(42));
        for other in ["t", "42", "tx", "t-1", "t42x", "ref-1", "t99999999999999999999"] {
            assert_eq!(ticket_of_payload(other), None, "{other}");
        }
    }
}
