//! The dialogue: what the bot answers to each input, as a pure function.
//!
//! ```text
//! user  /start                          (unknown Telegram account)
//! bot   Здравствуйте! … нажмите кнопку «📱 Поделиться номером»      [📱 Поделиться номером]
//! user  <shares own contact +7 912 345-67-89>
//! bot   Здравствуйте, Анна! 👋 … Выберите, что вы хотите сделать 👇  [main menu]
//!
//! user  <shares a number of contacts in two companies>
//! bot   Этот номер указан у контактных лиц нескольких компаний…    (inline: ООО Ромашка | АО Лютик)
//! user  <presses "АО Лютик">
//! bot   Здравствуйте, Анна! 👋 …                                    [main menu]
//!
//! user  /help                           (/menu, or any /command the bot does not have)
//! bot   Что умеет бот — кнопки меню внизу 👇 ➕ … — создать новую заявку …   [main menu]
//! user  /company                        (a phone of two companies' contacts)
//! bot   Этот номер указан у контактных лиц нескольких компаний…    (inline: ✓ ООО Ромашка | АО Лютик)
//! user  /language                       (anyone; the Telegram app's language decides until then)
//! bot   Выберите язык бота 👇                                       (inline: Русский | English)
//! user  <presses "English">
//! bot   ✔️ Done: the bot will speak English with you from now on.  [main menu, in English]
//! ```
//!
//! [`step`] never does I/O. When it needs a fact that must be read (the directory entries of a
//! phone, a contact's ticket counts) it returns [`Need`]; the caller reads it into [`Facts`] and
//! calls `step` again. The result is an [`Outcome`]: the next state, the effects to commit
//! atomically, and the replies to send after the commit. User mistakes are replies, not errors.
//!
//! What it speaks in (the input, the state, the facts, the effects and replies, the records they
//! carry) is in `types`, re-exported here; `step` routes each input to the module that handles
//! its kind (`registration`, `tickets`, `actions`, `replies`, `edits`, `commands`).

use crate::domain::{Link, TicketCounts};
use crate::texts::{self, Lang};

/// Decides the answer to `input` given the user's record and the facts read so far.
pub fn step(settings: &DialogueSettings, user: &UserRecord, input: &Inbound, facts: &Facts) -> Result<Outcome, Need> {
    let (lang, detected) = language(settings, user, input);
    let mut outcome = after_hours(settings, facts, decide(settings, user, input, facts, lang)?, lang)?;
    // A newly detected language is kept with a record written anyway, or with a linked user's
    // (the notifier speaks it to them); never a write of its own for anyone else.
    if let Some(detected) = detected {
        let chosen_now = outcome.effects.iter().any(|e| matches!(e, Effect::SetLanguage(_)));
        if !chosen_now && (user.link.is_some() || !outcome.is_read_only(user)) {
            outcome.effects.push(Effect::SetLanguage(detected));
        }
    }
    Ok(outcome)
}

/// The language to answer in: the user's choice, else what their Telegram app says (English
/// Russian, or else the default), else what was kept, else the default. With it, the detected
/// language when it differs from the one kept.
pub fn language(settings: &DialogueSettings, user: &UserRecord, input: &Inbound) -> (Lang, Option<Language>) {
    match (user.language, input.language_code.as_deref().and_then(Lang::of_telegram)) {
        (Some(kept), _) if kept.chosen => (kept.lang, None),
        // A language the bot speaks, as Telegram says: kept when it changes.
        (kept, Some(lang)) => {
            let detected = Language { lang, chosen: false };
            (lang, (kept != Some(detected)).then_some(detected))
        }
        // Another language, or none said: what was kept, else the default — nothing is written,
        // so such a user follows `DEFAULT_LANGUAGE` if it changes.
        (kept, _) => (kept.map_or(settings.default_lang, |k| k.lang), None),
    }
}

/// A ticket or comment made while the desk is closed: its confirmation (the last text reply)
/// says when the desk opens. Nothing else changes.
fn after_hours(settings: &DialogueSettings, facts: &Facts, mut outcome: Outcome, lang: Lang) -> Result<Outcome, Need> {
    let Some(hours) = &settings.hours else { return Ok(outcome) };
    let confirms = outcome.effects.iter().any(|e| matches!(e, Effect::CreateTicket(_) | Effect::AddComment(_)));
    if !confirms {
        return Ok(outcome);
    }
    let Some(opening) = hours.next_opening(facts.now.ok_or(Need::Now)?) else { return Ok(outcome) };
    let confirmation = outcome.replies.iter_mut().rev().find_map(|reply| match reply {
        Reply::Text { text, .. } => Some(text),
        _ => None,
    });
    if let Some(text) = confirmation {
        text.push_str("\n\n");
        text.push_str(&texts::after_hours(opening, lang));
    }
    Ok(outcome)
}

fn decide(
    settings: &DialogueSettings,
    user: &UserRecord,
    input: &Inbound,
    facts: &Facts,
    lang: Lang,
) -> Result<Outcome, Need> {
    let me = user.link.as_ref().and_then(|link| Me::of(link, lang));
    match (&input.event, me) {
        (Event::BlockedBot(blocked), _) => Ok(Outcome {
            state: user.state.clone(),
            effects: vec![Effect::Reachability { blocked: *blocked }],
            replies: vec![],
        }),
        // Someone else's card from a registered client is a message: «👤 name, phone» in the
        // ticket or comment they are writing, as any text.
        (Event::Contact { owner, card, .. }, Some(me)) if *owner != Some(input.user_id) => {
            let as_text = Inbound { event: Event::Message(card.as_ref().clone()), ..input.clone() };
            tickets::contact_step(&me, user, &as_text, facts)
        }
        (Event::Contact { owner, .. }, None) if *owner != Some(input.user_id) && is_employee(user) => Ok(Outcome {
            state: user.state.clone(),
            effects: vec![],
            replies: vec![text(texts::OTHERS_CONTACT_NOT_TAKEN.get(lang), Keyboard::Remove)],
        }),
        (Event::Contact { phone, owner, .. }, _) => {
            registration::shared_contact(settings, input, phone, *owner, facts, lang)
        }
        (Event::Press { id, data, message }, me) => {
            route_press(settings, me, user, input, (id, data, message.as_ref()), facts, lang)
        }
        // Anyone may choose the language, registered or not.
        (Event::Command(Command::Language), _) => Ok(commands::choose_language(user, lang)),
        (Event::OpenTicket(id), Some(me)) => replies::open_card(settings, &me, user, *id, facts),
        (Event::Command(Command::Tickets), None) if is_employee(user) => staff::assigned(user, None, 0, facts, lang),
        (Event::Command(Command::Help | Command::Menu), None) if is_employee(user) => Ok(staff::help(user, lang)),
        (Event::Command(Command::Tickets), Some(me)) => actions::list(&me, facts, TicketList::Status, 0, vec![]),
        (Event::Message(content), None) if is_employee(user) => replies::staff_reply(user, input, content, facts, lang),
        (Event::Edited { message_id, text, sent_at }, me) => {
            edits::edited(me, user, input, (*message_id, text, *sent_at), facts)
        }
        (_, Some(me)) => tickets::contact_step(&me, user, input, facts),
        (_, None) => Ok(not_a_contact(user, &input.event, lang)),
    }
}

/// Routes an inline-button press: the one place where the press and the dialogue's state decide
/// what happens. The data is parsed here, once; data no button of this bot carries, or a button
/// whose moment has passed, is answered as stale and changes nothing.
fn route_press(
    settings: &DialogueSettings,
    me: Option<Me<'_>>,
    user: &UserRecord,
    input: &Inbound,
    (press_id, data, message): (&str, &str, Option<&PressedMessage>),
    facts: &Facts,
    lang: Lang,
) -> Result<Outcome, Need> {
    match (me, &user.state, Press::parse(data)) {
        // The company choice completes registration: it is taken from anyone, linked or not.
        (_, _, Some(Press::ChooseCompany(contact_id))) => {
            registration::choose_company(user, press_id, &contact_id, facts, lang)
        }
        // «Русский» / «English» after `/language`: anyone's choice.
        (me, _, Some(Press::Language(chosen))) => commands::language_chosen(me, user, press_id, chosen, facts),
        // «📋 Карточка» on a staff notice: linked staff see any ticket's card; a client only
        // their own (checked by the card).
        (None, _, Some(Press::Card(id) | Press::Pick(TicketList::Assigned, id))) if is_employee(user) => {
            staff::card(settings, user, press_id, id, facts, lang)
        }
        // Take, start, done: staff only; the press is checked against the ticket as it is now.
        (None, _, Some(Press::Staff(action, id, version))) if is_employee(user) => {
            staff::act(settings, user, (press_id, message), (action, id, version), facts, lang)
        }
        (None, _, Some(Press::Page(TicketList::Assigned, page))) if is_employee(user) => {
            staff::assigned(user, Some(press_id), page, facts, lang)
        }
        (Some(me), _, Some(Press::Card(id))) => actions::card(settings, &me, user, press_id, id, facts),
        (None, _, _) => Ok(not_a_contact(user, &input.event, lang)),
        // The question's buttons keep working until the waiting message is used: "➕ Новая
        // заявка" after "💬 Прикрепить к заявке" too.
        (
            Some(me),
            State::NewOrAttach { pending } | State::ChoosingTicketToAttach { pending },
            Some(Press::NewTicket),
        ) => tickets::new_ticket_chosen(&me, press_id, pending, facts),
        (Some(me), State::NewOrAttach { pending } | State::ChoosingTicketToAttach { pending }, Some(Press::Attach)) => {
            tickets::attach_chosen(&me, press_id, pending, facts)
        }
        (Some(me), State::ChoosingTicketToAttach { .. }, Some(Press::Page(TicketList::Attach, page))) => {
            tickets::attach_page(&me, user, press_id, page, facts)
        }
        (Some(me), State::ChoosingTicketToAttach { pending }, Some(Press::Pick(TicketList::Attach, id))) => {
            tickets::attach_to(&me, user, input, press_id, pending, id, facts)
        }
        // The menu's ticket lists work whatever the dialogue was waiting for.
        (Some(me), _, Some(Press::Page(list, page))) if !matches!(list, TicketList::Attach | TicketList::Assigned) => {
            actions::page(&me, user, press_id, list, page, facts)
        }
        (Some(me), _, Some(Press::Pick(TicketList::Status, id))) => {
            actions::card(settings, &me, user, press_id, id, facts)
        }
        (Some(me), _, Some(Press::Pick(list @ (TicketList::Comment | TicketList::Question), id))) => {
            actions::comment_on(&me, user, press_id, list, id, facts)
        }
        (Some(me), _, Some(Press::Pick(TicketList::Cancel, id))) => actions::cancel(&me, user, press_id, id, facts),
        (Some(_), _, Some(Press::Unlink(true))) => Ok(Outcome {
            state: State::Idle,
            effects: vec![Effect::Unlink],
            replies: vec![answer(press_id, None), text(texts::UNLINKED.get(lang), Keyboard::SharePhone(lang))],
        }),
        (Some(me), _, Some(Press::Unlink(false))) => {
            tickets::menu_keeping(&me, user, facts, texts::UNLINK_KEPT.get(lang), vec![answer(press_id, None)])
        }
        // A rating button works from any state: it sits on a notice, not in the dialogue.
        (Some(me), _, Some(Press::Rate(id, score))) => actions::rate(&me, user, press_id, id, score, facts),
        (Some(_), _, _) => Ok(Outcome {
            state: user.state.clone(),
            effects: vec![],
            replies: vec![answer(press_id, Some(texts::BUTTON_STALE.get(lang)))],
        }),
    }
}

/// Whatever an unregistered user or an employee sends (a press answered first), they get the
/// way to register or what the bot is for them.
fn not_a_contact(user: &UserRecord, event: &Event, lang: Lang) -> Outcome {
    let reply = match &user.link {
        Some(Link::Employee { .. }) => text(texts::EMPLOYEE_INFO.get(lang), Keyboard::Remove),
        _ => text(texts::REGISTER_PROMPT.get(lang), Keyboard::SharePhone(lang)),
    };
    Outcome { state: State::Idle, effects: vec![], replies: with_press_answer(event, vec![reply]) }
}

fn is_employee(user: &UserRecord) -> bool {
    matches!(user.link, Some(Link::Employee { .. }))
}

/// The linked contact an input comes from.
pub(crate) struct Me<'a> {
    pub contact_id: &'a str,
    pub client_id: &'a str,
    pub name: &'a str,
    /// The language they are answered in.
    pub lang: Lang,
}

impl<'a> Me<'a> {
    /// `None` for a link that is not a contact's (an employee's).
    fn of(link: &'a Link, lang: Lang) -> Option<Self> {
        match link {
            Link::Contact { contact_id, client_id, name } => Some(Me { contact_id, client_id, name, lang }),
            Link::Employee { .. } => None,
        }
    }
}

/// A button of the main menu; its label and what it does are in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuButton {
    NewTicket,
    Status,
    Comment,
    Cancel,
    CallMe,
    Question,
}

impl MenuButton {
    pub const ALL: [MenuButton; 6] = [
        MenuButton::NewTicket,
        MenuButton::Status,
        MenuButton::Comment,
        MenuButton::Cancel,
        MenuButton::CallMe,
        MenuButton::Question,
    ];

    /// The label, as the reply keyboard shows it and sends it back.
    pub fn label(self, lang: Lang) -> &'static str {
        texts::menu_button_label(self, lang)
    }

    /// The button a reply-keyboard press stands for: its label in any language (a client whose
    /// language changed may still have the old keyboard on screen).
    pub fn pressed(text: &str) -> Option<MenuButton> {
        Self::ALL.into_iter().find(|button| texts::menu_button_text(*button).any().contains(&text))
    }
}

/// The buttons of the main menu fitting the contact's tickets (spec: "Главное меню бота"): the
/// one place the menu is decided, for the dialogue's replies and the notifier's notices alike.
pub fn menu_buttons(counts: TicketCounts) -> Vec<MenuButton> {
    if counts.active > 0 {
        vec![MenuButton::NewTicket, MenuButton::Status, MenuButton::Comment, MenuButton::Cancel]
    } else {
        let mut buttons = vec![MenuButton::NewTicket, MenuButton::CallMe];
        if counts.completed > 0 {
            buttons.push(MenuButton::Question);
        }
        buttons
    }
}

/// The main menu as a reply keyboard, labelled in `lang`.
pub fn main_menu(counts: TicketCounts, lang: Lang) -> Keyboard {
    Keyboard::Menu(menu_buttons(counts).into_iter().map(|button| button.label(lang)).collect())
}

pub(crate) fn text(body: &str, keyboard: Keyboard) -> Reply {
    Reply::Text { text: body.to_owned(), keyboard }
}

/// What a user sent (a phone, a file name), as a reply quotes it: at most `max` characters, cut
/// with "…". Telegram refuses a message over 4096 characters, and an update may carry more.
pub(crate) fn quoted(sent: &str, max: usize) -> String {
    if sent.chars().count() <= max {
        return sent.to_owned();
    }
    sent.chars().take(max.saturating_sub(1)).chain(['…']).collect()
}

pub(crate) fn answer(press_id: &str, text: Option<&str>) -> Reply {
    Reply::AnswerPress { press_id: press_id.to_owned(), text: text.map(str::to_owned) }
}

/// Prepends the answer to an inline-button press, when the input was one.
pub(crate) fn with_press_answer(event: &Event, mut replies: Vec<Reply>) -> Vec<Reply> {
    if let Event::Press { id, .. } = event {
        replies.insert(0, answer(id, None));
    }
    replies
}

mod actions;
mod buttons;
mod commands;
mod edits;
mod registration;
mod replies;
mod staff;
mod tickets;
mod types;

pub use actions::cancellation_entry;
pub use buttons::{prefixes as button_prefixes, Press, StaffAction, TicketList};
pub use edits::correction_entry;
pub use replies::{deep_link_payload, ticket_named_in, ticket_of_payload};
pub use staff::{staff_keyboard, staff_presses};
pub use tickets::{files_subject, split_subject, SUBJECT_CHARS};
pub use types::*;

#[cfg(test)]
mod tests;
