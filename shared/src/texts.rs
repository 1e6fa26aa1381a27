//! The message catalog: every text a client or employee reads in Telegram, in one place.
//!
//! Button labels and replies quoted by the product specification ("Бот для клиентов
//! техподдержки") are kept to the letter: the dialogue recognises reply-keyboard presses by
//! these exact labels, so changing a label here changes what the bot accepts.

use crate::dialogue::{Command, MenuButton, Unsupported};

// ---- Registration -------------------------------------------------------------------------

/// The reply-keyboard button that shares the user's own phone number.
pub const BTN_SHARE_PHONE: &str = "📱 Поделиться номером";

pub const REGISTER_PROMPT: &str = "Здравствуйте! 👋\n\nЧтобы работать с заявками, поделитесь, пожалуйста, номером телефона: нажмите кнопку «📱 Поделиться номером» внизу 👇";

pub const REGISTER_OWN_NUMBER_ONLY: &str = "Пожалуйста, поделитесь своим номером телефона: нажмите кнопку «📱 Поделиться номером» внизу 👇\n\nНомер другого человека для входа не подходит.";

pub const CHOOSE_COMPANY: &str =
    "Этот номер указан у контактных лиц нескольких компаний. Выберите, от имени какой компании вы будете работать 👇";

pub const CHOICE_EXPIRED: &str = "Этот выбор больше не действует. Поделитесь номером ещё раз 👇";

/// `{phone}` is the number as shared, `{support}` the support desk's phone.
pub const PHONE_NOT_FOUND: &str = "К сожалению, номер {phone} не найден в системе. 😔\n\nПозвоните, пожалуйста, в службу поддержки по телефону {support} — мы добавим вас, и вы сможете войти снова.";

/// `{name}` is the contact person's name.
pub const WELCOME_CONTACT: &str =
    "Здравствуйте, {name}! 👋\n\nВы вошли в бот службы поддержки. Выберите, что вы хотите сделать 👇";

/// `{name}` is the employee's name.
pub const WELCOME_EMPLOYEE: &str = "Здравствуйте, {name}! 👋\n\nВы зарегистрированы как сотрудник службы поддержки. Сюда будут приходить уведомления о заявках ваших клиентов.";

pub const EMPLOYEE_INFO: &str =
    "Вы зарегистрированы как сотрудник службы поддержки. Сюда приходят уведомления о заявках ваших клиентов.";

/// A registered user shared someone else's contact card: nothing changes for them.
pub const OTHERS_CONTACT_NOT_TAKEN: &str =
    "Контакты других людей бот не принимает: с заявками вы работаете под своим номером телефона.";

/// The user's company (a button of the `/company` choice). `{name}` is the company's name.
pub const COMPANY_CURRENT: &str = "✓ {name}";

/// A client chose the company they work for with `/company`. `{client}` is its name.
pub const COMPANY_CHOSEN: &str = "✔️ Теперь вы работаете от имени компании «{client}».";

/// `/company` from a client whose phone is a contact's of one company only.
pub const COMPANY_ONLY_ONE: &str = "Ваш номер телефона указан только у одной компании — выбирать не из чего.";

// ---- Main menu ----------------------------------------------------------------------------

pub const MENU_PROMPT: &str = "Выберите, что вы хотите сделать 👇";

pub const BTN_NEW_TICKET: &str = "➕ Новое обращение";
pub const BTN_STATUS: &str = "❓ Узнать статус обращения";
pub const BTN_COMMENT: &str = "💬 Добавить комментарий";
pub const BTN_CANCEL: &str = "🛑 Отменить обращение";
pub const BTN_CALL_ME: &str = "😮 Я отправлял задачу, свяжетесь со мной пожалуйста и давайте разберёмся!";
pub const BTN_QUESTION_DONE: &str = "🧐 У меня вопрос по одной из уже выполненных задач";

/// The label of a menu button.
pub fn menu_button_label(button: MenuButton) -> &'static str {
    match button {
        MenuButton::NewTicket => BTN_NEW_TICKET,
        MenuButton::Status => BTN_STATUS,
        MenuButton::Comment => BTN_COMMENT,
        MenuButton::Cancel => BTN_CANCEL,
        MenuButton::CallMe => BTN_CALL_ME,
        MenuButton::Question => BTN_QUESTION_DONE,
    }
}

/// What a menu button does, in the spec's words ("Главное меню бота"), for `/help`.
pub fn menu_button_hint(button: MenuButton) -> &'static str {
    match button {
        MenuButton::NewTicket => "создать новую заявку",
        MenuButton::Status => "узнать статус заявки",
        MenuButton::Comment => "добавить комментарий к заявке",
        MenuButton::Cancel => "отменить заявку",
        MenuButton::CallMe => "уведомить менеджера",
        MenuButton::Question => "добавить комментарий к выполненной заявке",
    }
}

// ---- Commands (`/menu`, `/help`; the list the deploy registers with Telegram) ---------------

/// What Telegram shows next to each command in the chat's command list.
pub fn command_description(command: Command) -> &'static str {
    match command {
        Command::Start => "Начать работу с ботом",
        Command::Menu => "Главное меню и что делает каждая кнопка",
        Command::Help => "Что умеет бот",
        Command::Company => "Выбрать компанию, от имени которой вы работаете",
        Command::Unlink => "Отвязать этот Telegram от вашего контакта",
    }
}

/// The line of `/help` that names the way out. `{unlink}`: the command.
pub const HELP_UNLINK: &str = "Отвязать этот Telegram от вашего контакта: {unlink}";
/// `/unlink`: what it does, before the buttons to confirm.
pub const UNLINK_CONFIRM: &str = "Отвязать этот Telegram от вашего контакта? Ваши обращения останутся в службе поддержки, но уведомления сюда приходить перестанут, а пользоваться ботом можно будет, только снова поделившись номером.";
pub const BTN_UNLINK_YES: &str = "Да, отвязать";
pub const BTN_UNLINK_NO: &str = "Нет, оставить";
/// Unlinked: how to come back (the keyboard offers the phone button).
pub const UNLINKED: &str = "Готово: этот Telegram отвязан от вашего контакта, уведомления сюда больше не придут. Чтобы снова пользоваться ботом, нажмите «📱 Поделиться номером» или отправьте /start.";
/// "Нет, оставить".
pub const UNLINK_KEPT: &str = "Хорошо, всё остаётся как было.";

pub const HELP_INTRO: &str = "Что умеет бот — кнопки меню внизу 👇";
/// One line per button of the menu shown. `{label}`, `{what}` ([`menu_button_hint`]).
pub const HELP_BUTTON: &str = "{label} — {what}";
pub const HELP_WRITE: &str = "Можно и просто написать боту или прислать фото или документ: если обращений в работе нет, из сообщения получится новая заявка, а если есть — бот спросит, создать новую или прикрепить сообщение к одной из них.";
/// `{menu}`, `{help}`, `{start}` are the commands.
pub const HELP_COMMANDS: &str = "{menu} или {help} — эта подсказка, {start} — главное меню.";
/// For a client whose phone is a contact's of several companies. `{company}` is the command.
pub const HELP_COMPANY: &str =
    "{company} — выбрать другую компанию: ваш номер указан у контактных лиц нескольких компаний.";

// ---- Creating tickets ---------------------------------------------------------------------

pub const NEW_TICKET_PROMPT: &str =
    "Напишите пожалуйста, чем мы можем вам помочь? 👇\n\nВы можете написать текстом или приложить изображения или файлы.";

/// `{id}` is the ticket number.
pub const TICKET_CREATED: &str =
    "✔️ Ваше обращение зарегистрировано с номером #{id}.\n\nМы будем держать вас в курсе хода работы.";

/// Subject of a ticket made of files only; `{name}` is the contact's name.
pub const FILES_SUBJECT: &str = "Файлы от {name}";

pub const NEW_OR_ATTACH: &str =
    "У вас есть обращения в работе. Создать новую заявку или прикрепить это сообщение к одной из них? 👇";
pub const BTN_NEW_REQUEST: &str = "➕ Новая заявка";
pub const BTN_ATTACH: &str = "💬 Прикрепить к заявке";

/// A message that would not fit beside the one waiting for "new or attach?".
pub const PENDING_FULL: &str = "⚠️ Это сообщение не добавлено: к сообщению, которое ждёт вашего выбора, уже приложено слишком много. Сначала выберите «➕ Новая заявка» или «💬 Прикрепить к заявке» выше, а затем отправьте это сообщение ещё раз.";

pub const CHOOSE_TICKET_TO_ATTACH: &str = "Выберите обращение, к которому прикрепить сообщение 👇";

/// The ticket chosen to attach to is no longer active, and no other is.
pub const NO_TICKET_TO_ATTACH: &str =
    "Обращений в работе, к которым можно прикрепить сообщение, больше нет. Создать из него новую заявку? 👇";

/// A menu button (or `/start`) while a message waited for "new or attach?": it is dropped.
pub const PENDING_DROPPED: &str = "Сообщение, которое ждало выбора «➕ Новая заявка» или «💬 Прикрепить к заявке», не отправлено. Если оно ещё нужно, пришлите его снова.";

/// `{id}` is the ticket number.
pub const COMMENT_ADDED: &str =
    "✔️ Ваш комментарий добавлен к обращению #{id}.\n\nМы будем сообщать обо всех изменениях обращения.";

/// The ticket commented on was completed while the client wrote. `{id}` is its number.
pub const COMMENT_ADDED_AS_QUESTION: &str = "✔️ Обращение #{id} тем временем выполнено, поэтому ваш комментарий добавлен к нему как вопрос по выполненной задаче.\n\nМы будем сообщать обо всех изменениях обращения.";

/// The ticket commented on was cancelled while the client wrote. `{id}` is its number.
pub const COMMENT_TICKET_CANCELLED: &str = "Обращение #{id} тем временем отменено, поэтому комментарий к нему не добавлен. Ваше сообщение не потеряно: создать из него новую заявку? 👇";

/// The ticket commented on is no longer the client's. `{id}` is its number.
pub const COMMENT_TICKET_UNAVAILABLE: &str = "Обращение #{id} уже недоступно, поэтому комментарий к нему не добавлен. Ваше сообщение не потеряно: создать из него новую заявку? 👇";

/// The comment a client's edit of a message that became a ticket or comment adds to it.
/// `{text}`: the message as it now reads.
pub const EDIT_COMMENT: &str = "✏️ Исправлено: {text}";
// en: "✏️ Corrected: {text}"
/// The edit became a comment on ticket `{id}`.
pub const EDIT_ADDED: &str = "✏️ Исправление добавлено к обращению #{id}.";
// en: "✏️ Your correction has been added to request #{id}."
/// An edit of a message sent more than 48 hours ago (`dialogue::EDIT_WINDOW_HOURS`). `{id}`:
/// the ticket it became. A reply to this message is a comment on it.
pub const EDIT_TOO_LATE: &str = "Исправления сообщений принимаются в течение 48 часов после отправки, поэтому к обращению #{id} это исправление не добавлено. Если нужно что-то уточнить, ответьте на это сообщение — ответ станет комментарием к обращению.";
// en: "Edits are taken within 48 hours of sending, so this correction was not added to request #{id}. If something needs clarifying, reply to this message: your reply becomes a comment on the request."
/// An edit of a message whose ticket was cancelled. `{id}`: the ticket.
pub const EDIT_NOT_ADDED: &str = "Обращение #{id} отменено, поэтому исправление к нему не добавлено.";
// en: "Request #{id} has been cancelled, so the correction was not added to it."

/// `{name}` is the file's name.
pub const FILE_TOO_LARGE: &str = "⚠️ Файл «{name}» не принят: он больше 20 МБ, а Telegram не даёт ботам скачивать такие файлы. Пришлите его, пожалуйста, частями или ссылкой.";

/// Telegram would not hand the file over. `{name}` is the file's name.
pub const FILE_UNREADABLE: &str =
    "⚠️ Файл «{name}» не принят: его не удалось прочитать. Пришлите его, пожалуйста, ещё раз или в другом формате.";

/// A photo whose bytes are not an image. `{name}` is the file's name.
pub const FILE_NOT_AN_IMAGE: &str = "⚠️ Фото «{name}» не принято: это не изображение или оно повреждено. Пришлите его, пожалуйста, ещё раз или как документ.";

/// A photo larger than the bot converts (in pixels, not bytes). `{name}` is the file's name.
pub const FILE_PICTURE_TOO_LARGE: &str = "⚠️ Фото «{name}» не принято: изображение слишком большое, чтобы бот мог его обработать. Уменьшите его или пришлите как документ.";

/// An update that will never be taken because it is too large to store.
pub const UPDATE_TOO_LARGE: &str =
    "⚠️ Это сообщение не удалось сохранить: оно слишком большое. Пожалуйста, разделите его на несколько сообщений поменьше.";

/// An update that failed for a reason of ours. `{support}` is the support desk's phone.
pub const UPDATE_FAILED: &str = "⚠️ Не удалось обработать это сообщение из-за ошибки на нашей стороне. Пожалуйста, отправьте его ещё раз чуть позже или позвоните в службу поддержки по телефону {support}.";

/// `{kind}` names what was sent: [`unsupported_kind`].
pub const UNSUPPORTED: &str = "К обращению нельзя добавить {kind}. 🙏\n\nПришлите, пожалуйста, текст, фото или документ — голосовые сообщения, аудио и видео тоже подойдут.";

/// Answer to a press of a button whose moment has passed.
pub const BUTTON_STALE: &str = "Эта кнопка больше не действует.";

/// `{id}` is the ticket number.
pub const TICKET_NOT_AVAILABLE: &str = "Обращение #{id} уже недоступно для этого действия.";

// ---- Status, comments, cancelling, questions, call-back requests --------------------------

pub const CHOOSE_TICKET_STATUS: &str = "Выберите обращение, статус которого хотите узнать 👇";
pub const CHOOSE_TICKET_COMMENT: &str = "Выберите обращение, к которому хотите добавить комментарий 👇";
pub const CHOOSE_TICKET_CANCEL: &str = "Выберите обращение, которое хотите отменить 👇";
pub const CHOOSE_TICKET_DONE: &str = "Выберите выполненное обращение, по которому у вас вопрос 👇";
pub const NO_ACTIVE_TICKETS: &str = "У вас нет обращений в работе.";
pub const NO_COMPLETED_TICKETS: &str = "У вас нет выполненных обращений.";

/// The ticket card. `{id}`, `{subject}`, `{assignee}`, `{status}`, `{deadline}`.
pub const TICKET_CARD: &str = "📋 #{id} {subject}\n\n🧑‍💻 {assignee}\n🏷️ {status}\n🕒 {deadline}";

pub const COMMENT_PROMPT: &str = "Напишите текст комментария или приложите файл или изображение 👇";

/// `{id}` is the ticket number.
pub const TICKET_CANCELLED: &str = "✔️ Ваше обращение {id} отменено. Вся работа по обращению прекращена.";
pub const NO_MORE_ACTIVE: &str = "У вас больше нет обращений в работе.";

/// The manager was told in Telegram.
pub const CALL_ME_NOTIFIED: &str = "✔️ Мы уведомили менеджера и скоро с вами свяжемся 🤝";
/// No manager (or one without Telegram): the request waits for the desk's staff.
pub const CALL_ME_RECORDED: &str =
    "✔️ Мы записали вашу просьбу и передали её в службу поддержки — с вами свяжутся в ближайшее время 🤝";
// ---- Working hours ----------------------------------------------------------------------------

/// Added to the confirmation of a ticket or comment made outside working hours. `{day}` (в
/// понедельник…), `{date}` (DD.MM), `{time}` (HH:MM): when the desk opens.
pub const AFTER_HOURS: &str = "🌙 Сейчас нерабочее время. Мы приступим к работе {day}, {date} в {time}.";

/// [`AFTER_HOURS`] for the desk's next opening.
pub fn after_hours<Z: chrono::TimeZone>(opening: chrono::DateTime<Z>) -> String
where
    Z::Offset: std::fmt::Display,
{
    use chrono::Datelike;
    const WEEKDAYS: [&str; 7] =
        ["в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу", "в воскресенье"];
    let day = WEEKDAYS[opening.weekday().num_days_from_monday() as usize];
    fill(
        AFTER_HOURS,
        &[("day", day), ("date", &opening.format("%d.%m").to_string()), ("time", &opening.format("%H:%M").to_string())],
    )
}

// ---- Rating a completed ticket ---------------------------------------------------------------

/// The rating buttons' labels: `⭐ 1` … `⭐ 5`.
pub fn rating_button(score: u8) -> String {
    format!("⭐ {score}")
}

/// A score as stars: `⭐⭐⭐`.
pub fn stars(score: u8) -> String {
    "⭐".repeat(usize::from(score))
}

/// The short answer on the pressed button.
pub fn rating_thanks(score: u8) -> String {
    format!("Спасибо! Ваша оценка: {}", stars(score))
}

/// Above the rating buttons, on the notice that a ticket is done.
pub const RATING_ASK: &str = "Оцените, пожалуйста, нашу работу по этому обращению: от ⭐ 1 (плохо) до ⭐ 5 (отлично).";
/// `{id}`, `{stars}`.
pub const RATING_THANKS: &str =
    "🙏 Спасибо за оценку обращения №{id}: {stars}. Изменить её можно в течение 7 дней, нажав другую кнопку.";
/// `{id}`, `{stars}`.
pub const RATING_CHANGED: &str = "✏️ Оценка обращения №{id} изменена: {stars}.";
pub const RATING_CLOSED: &str = "Оценить обращение можно в течение 7 дней после выполнения — это время прошло.";
/// To the assignee and the manager. `{score}`, `{contact}`, `{client}`.
pub const NOTICE_LOW_RATING: &str = "⚠️ Клиент <b>{contact}</b> ({client}) оценил работу на {score} из 5.";

/// A request made earlier is still open (and recent): the manager is not asked again.
pub const CALL_ME_STANDING: &str =
    "☎️ Вы уже просили связаться с вами — просьба передана, и с вами обязательно свяжутся. Повторно отправлять её не нужно 🤝";
/// To the manager. `{contact}`, `{client}`, `{phone}`.
pub const NOTICE_CALL_ME: &str = "📞 Клиент просит связаться с ним: <b>{contact}</b> ({client}), телефон {phone}.";

pub const BTN_PREV_PAGE: &str = "◀️ Назад";
pub const BTN_NEXT_PAGE: &str = "Вперёд ▶️";

// ---- Notifications (HTML parse mode: values are escaped before they are filled in) ---------

/// First line of every ticket notification. `{id}`, `{subject}`.
pub const NOTICE_TICKET: &str = "📋 Обращение #{id} «{subject}»";
pub const NOTICE_CREATED: &str = "🆕 Ваше обращение зарегистрировано с номером #{id}.";
pub const NOTICE_STATUS: &str = "🏷️ Новый статус: <b>{status}</b>";
pub const NOTICE_DONE: &str = "✅ Обращение выполнено (статус «{status}»). Если остались вопросы, нажмите «🧐 У меня вопрос по одной из уже выполненных задач».";
pub const NOTICE_ASSIGNEE: &str = "🧑‍💻 Исполнитель: <b>{name}</b>";
pub const NOTICE_UNASSIGNED: &str = "🧑‍💻 Исполнитель снят, обращение ждёт назначения.";
pub const NOTICE_DEADLINE: &str = "🕒 Срок выполнения: <b>{deadline}</b>";
pub const NOTICE_DEADLINE_CLEARED: &str = "🕒 Срок выполнения снят.";
pub const NOTICE_COMMENT: &str = "💬 Новый комментарий от <b>{author}</b>:\n{text}";
pub const NOTICE_LINK: &str = "🔗 {url}";
pub const BTN_OPEN_TICKET: &str = "Открыть обращение";
/// The inline button on staff notices about a ticket: its card (`dialogue::Press::Card`).
pub const BTN_CARD: &str = "📋 Карточка";

/// To employees. `{client}`, `{contact}`, `{phone}`.
pub const NOTICE_VIP_TICKET: &str = "⭐ Новое обращение VIP-клиента <b>{client}</b> от {contact}.";
pub const NOTICE_CLIENT_COMMENT: &str = "💬 Клиент <b>{contact}</b> ({client}) оставил комментарий:\n{text}";
pub const NOTICE_CLIENT_CANCELLED: &str = "🛑 Клиент <b>{contact}</b> ({client}) отменил обращение в боте.";

// ---- Staff replies: an employee answers a notice about a ticket with a Telegram reply -----

/// The reply became a comment the client sees. `{id}`.
pub const STAFF_COMMENT_ADDED: &str = "✔️ Комментарий добавлен к обращению #{id}. Клиент получит его текст в Telegram.";
// en: "✔️ Comment added to ticket #{id}. The client will get its text in Telegram."
/// The reply (`!` first, or files alone) became an internal note. `{id}`.
pub const STAFF_NOTE_ADDED: &str =
    "🔒 Внутренняя заметка добавлена к обращению #{id}. Клиент её не видит. Чтобы ответить клиенту, ответьте на уведомление текстом без «!» в начале.";
// en: "🔒 Internal note added to ticket #{id}. The client does not see it. To answer the client, reply to the notice with text that does not start with «!»."
/// A reply to a message the bot does not know as about one ticket (an old notice, a card, a
/// forged id): nothing was added.
pub const STAFF_REPLY_NOT_ATTACHED: &str = "Ответ не добавлен ни к одному обращению: бот не знает, к какому обращению относится это сообщение. Чтобы ответить клиенту, ответьте на уведомление об обращении; ответ с «!» в начале — внутренняя заметка.";
// en: "The reply was not added anywhere: the bot does not know which ticket this message is about. To answer a client, reply to a notice about the ticket; a reply starting with «!» is an internal note."
/// A reply to a call-back request's notice: such a request is about no one ticket.
pub const STAFF_REPLY_CALL_ME: &str = "Просьба перезвонить не привязана к обращению, поэтому ответ не сохранён и клиенту не отправлен. Позвоните клиенту по номеру из уведомления.";
// en: "A call-back request is not tied to a ticket, so the reply was not saved and not sent to the client. Please call the client at the number in the notice."
/// A reply of nothing to store (a bare «!»).
pub const STAFF_REPLY_EMPTY: &str = "Ответ пустой — добавлять нечего. После «!» напишите текст заметки.";
// en: "The reply is empty: there is nothing to add. Write the note's text after «!»."

/// The status name people read.
pub fn status_name(status: crate::domain::TicketStatus) -> &'static str {
    use crate::domain::TicketStatus::*;
    match status {
        New => "Новая",
        InProgress => "В работе",
        Waiting => "Ожидает ответа",
        Done => "Выполнен",
        Closed => "Закрыт",
        Cancelled => "Отменена",
    }
}

/// Stands for the text of a comment made of files only.
pub const FILES_ONLY: &str = "📎";

/// Shown for dates that are not set.
pub const NOT_SET: &str = "Не назначен";

// ---- Things the bot does not take ---------------------------------------------------------

/// What was sent, as it fills `{kind}` in [`UNSUPPORTED`] («нельзя добавить …»: accusative).
pub fn unsupported_kind(kind: Unsupported) -> &'static str {
    match kind {
        Unsupported::Sticker => "стикер",
        Unsupported::Location => "геопозицию",
        Unsupported::Poll => "опрос",
        Unsupported::Dice => "кубик",
        Unsupported::Animation => "GIF-анимацию",
        Unsupported::Other => "сообщение этого типа",
    }
}

/// Fills `{placeholder}`s in a catalog text. Values are inserted as they are; escaping for a
/// parse mode is the renderer's job.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (key, value) in values {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_every_placeholder() {
        let text = fill(PHONE_NOT_FOUND, &[("phone", "+79123456789"), ("support", "8 800 555-35-35")]);
        assert!(text.contains("+79123456789"));
        assert!(text.contains("8 800 555-35-35"));
        assert!(!text.contains('{'));
    }
}
