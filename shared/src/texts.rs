//! The message catalog: every text a client or employee reads in Telegram, in one place, in
//! every language the bot speaks ([`Lang`]).
//!
//! Button labels and replies quoted by the product specification ("Бот для клиентов
//! техподдержки") are kept to the letter in Russian: the dialogue recognises reply-keyboard
//! presses by these exact labels (in either language: a client whose language changed may still
//! have the old keyboard on screen), so changing a label here changes what the bot accepts.
//!
//! Each text is a [`Text`] with a version per language: a call site must say which it wants
//! ([`Text::get`]), so none can fall back to Russian unnoticed. [`ALL`] lists every text of the
//! catalog (the `catalog!` macro writes it next to the texts): the tests check that each has
//! both versions with the same `{placeholders}`.

use crate::dialogue::{edit_window_hours, Command, MenuButton, Unsupported};
use serde::{Deserialize, Serialize};

/// A language the bot speaks. Stored and configured (`DEFAULT_LANGUAGE`) as its code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ru, Lang::En];

    /// `ru`, `en`: as configured and stored.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// The language of a code as [`Lang::code`] writes it.
    pub fn from_code(code: &str) -> Option<Lang> {
        Self::ALL.into_iter().find(|lang| lang.code() == code)
    }

    /// The language of a Telegram `language_code` (an IETF tag such as `en-GB`); `None` for a
    /// language the bot does not speak.
    pub fn of_telegram(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next().unwrap_or_default();
        Self::ALL.into_iter().find(|lang| primary.eq_ignore_ascii_case(lang.code()))
    }

    /// The language's own name, as the `/language` buttons show it (the same in every language).
    pub fn name(self) -> &'static str {
        match self {
            Lang::Ru => "Русский",
            Lang::En => "English",
        }
    }
}

/// A text of the catalog in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub ru: &'static str,
    pub en: &'static str,
}

impl Text {
    /// The text in `lang`.
    pub const fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Ru => self.ru,
            Lang::En => self.en,
        }
    }

    /// Every version, for matching what a user sent back (a button label) in any language.
    pub fn any(self) -> [&'static str; 2] {
        [self.ru, self.en]
    }
}

/// Writes each `NAME = { ru: …, en: … };` as `pub const NAME: Text`, and [`ALL`], the list of
/// every one of them, so that a text cannot be added without the tests seeing it.
macro_rules! catalog {
    ($( $(#[$meta:meta])* $name:ident = { ru: $ru:expr, en: $en:expr $(,)? }; )*) => {
        $( $(#[$meta])* pub const $name: Text = Text { ru: $ru, en: $en }; )*

        /// Every text of the catalog, by name.
        pub const ALL: &[(&str, Text)] = &[$((stringify!($name), $name)),*];
    };
}

catalog! {
/// The reply-keyboard button that shares the user's own phone number.
BTN_SHARE_PHONE = {
    ru: "📱 Поделиться номером",
    en: "📱 Share phone number",
};
REGISTER_PROMPT = {
    ru: "Здравствуйте! 👋\n\nЧтобы работать с заявками, поделитесь, пожалуйста, номером телефона: нажмите кнопку «📱 Поделиться номером» внизу 👇",
    en: "Hello! 👋\n\nTo work with your requests, please share your phone number: tap the “📱 Share phone number” button below 👇",
};
REGISTER_OWN_NUMBER_ONLY = {
    ru: "Пожалуйста, поделитесь своим номером телефона: нажмите кнопку «📱 Поделиться номером» внизу 👇\n\nНомер другого человека для входа не подходит.",
    en: "Please share your own phone number: tap the “📱 Share phone number” button below 👇\n\nSomeone else's number can't be used to sign in.",
};
CHOOSE_COMPANY = {
    ru: "Этот номер указан у контактных лиц нескольких компаний. Выберите, от имени какой компании вы будете работать 👇",
    en: "This number belongs to contacts of several companies. Please choose the company on whose behalf you'll be working 👇",
};
CHOICE_EXPIRED = {
    ru: "Этот выбор больше не действует. Поделитесь номером ещё раз 👇",
    en: "This choice is no longer valid. Please share your number again 👇",
};
/// `{phone}` is the number as shared, `{support}` the support desk's phone.
PHONE_NOT_FOUND = {
    ru: "К сожалению, номер {phone} не найден в системе. 😔\n\nПозвоните, пожалуйста, в службу поддержки по телефону {support} — мы добавим вас, и вы сможете войти снова.",
    en: "Sorry, we couldn't find the number {phone} in our system. 😔\n\nPlease call the support desk at {support} — we'll add you, and then you can sign in again.",
};
/// `{name}` is the contact person's name.
WELCOME_CONTACT = {
    ru: "Здравствуйте, {name}! 👋\n\nВы вошли в бот службы поддержки. Выберите, что вы хотите сделать 👇",
    en: "Hello, {name}! 👋\n\nYou're signed in to the support desk bot. Choose what you'd like to do 👇",
};
/// `{name}` is the employee's name.
WELCOME_EMPLOYEE = {
    ru: "Здравствуйте, {name}! 👋\n\nВы зарегистрированы как сотрудник службы поддержки. Сюда будут приходить уведомления о заявках ваших клиентов.",
    en: "Hello, {name}! 👋\n\nYou're registered as a support desk employee. Notifications about your clients' requests will arrive here.",
};
EMPLOYEE_INFO = {
    ru: "Вы зарегистрированы как сотрудник службы поддержки. Сюда приходят уведомления о заявках ваших клиентов.",
    en: "You're registered as a support desk employee. Notifications about your clients' requests arrive here.",
};
/// A registered user shared someone else's contact card: nothing changes for them.
OTHERS_CONTACT_NOT_TAKEN = {
    ru: "Контакты других людей бот не принимает: с заявками вы работаете под своим номером телефона.",
    en: "The bot doesn't accept other people's contacts: you work with requests under your own phone number.",
};
/// The user's company (a button of the `/company` choice). `{name}` is the company's name.
COMPANY_CURRENT = {
    ru: "✓ {name}",
    en: "✓ {name}",
};
/// A client chose the company they work for with `/company`. `{client}` is its name.
COMPANY_CHOSEN = {
    ru: "✔️ Теперь вы работаете от имени компании «{client}».",
    en: "✔️ You're now working on behalf of “{client}”.",
};
/// `/company` from a client whose phone is a contact's of one company only.
COMPANY_ONLY_ONE = {
    ru: "Ваш номер телефона указан только у одной компании — выбирать не из чего.",
    en: "Your phone number is listed for one company only — there's nothing to choose from.",
};
MENU_PROMPT = {
    ru: "Выберите, что вы хотите сделать 👇",
    en: "Choose what you'd like to do 👇",
};
BTN_NEW_TICKET = {
    ru: "➕ Новое обращение",
    en: "➕ New request",
};
BTN_STATUS = {
    ru: "❓ Узнать статус обращения",
    en: "❓ Check request status",
};
BTN_COMMENT = {
    ru: "💬 Добавить комментарий",
    en: "💬 Add a comment",
};
BTN_CANCEL = {
    ru: "🛑 Отменить обращение",
    en: "🛑 Cancel a request",
};
BTN_CALL_ME = {
    ru: "😮 Я отправлял задачу, свяжетесь со мной пожалуйста и давайте разберёмся!",
    en: "😮 I sent a request — please get in touch with me so we can sort it out!",
};
BTN_QUESTION_DONE = {
    ru: "🧐 У меня вопрос по одной из уже выполненных задач",
    en: "🧐 I have a question about a completed request",
};
/// The line of `/help` that names the way out. `{unlink}`: the command.
HELP_UNLINK = {
    ru: "Отвязать этот Telegram от вашего контакта: {unlink}",
    en: "Unlink this Telegram account from your contact: {unlink}",
};
/// `/unlink`: what it does, before the buttons to confirm.
UNLINK_CONFIRM = {
    ru: "Отвязать этот Telegram от вашего контакта? Ваши обращения останутся в службе поддержки, но уведомления сюда приходить перестанут, а пользоваться ботом можно будет, только снова поделившись номером.",
    en: "Unlink this Telegram account from your contact? Your requests will stay with the support desk, but notifications will no longer arrive here, and you'll only be able to use the bot again by sharing your number.",
};
BTN_UNLINK_YES = {
    ru: "Да, отвязать",
    en: "Yes, unlink",
};
BTN_UNLINK_NO = {
    ru: "Нет, оставить",
    en: "No, keep it",
};
/// Unlinked: how to come back (the keyboard offers the phone button).
UNLINKED = {
    ru: "Готово: этот Telegram отвязан от вашего контакта, уведомления сюда больше не придут. Чтобы снова пользоваться ботом, нажмите «📱 Поделиться номером» или отправьте /start.",
    en: "Done: this Telegram account is unlinked from your contact, and notifications will no longer arrive here. To use the bot again, tap “📱 Share phone number” or send /start.",
};
/// "Нет, оставить".
UNLINK_KEPT = {
    ru: "Хорошо, всё остаётся как было.",
    en: "All right, everything stays as it was.",
};
HELP_INTRO = {
    ru: "Что умеет бот — кнопки меню внизу 👇",
    en: "What the bot can do — the menu buttons below 👇",
};
/// One line per button of the menu shown. `{label}`, `{what}` ([`menu_button_hint`]).
HELP_BUTTON = {
    ru: "{label} — {what}",
    en: "{label} — {what}",
};
HELP_WRITE = {
    ru: "Можно и просто написать боту или прислать фото или документ: если обращений в работе нет, из сообщения получится новая заявка, а если есть — бот спросит, создать новую или прикрепить сообщение к одной из них.",
    en: "You can also simply write to the bot or send a photo or a document: if you have no requests in progress, your message becomes a new request; if you do, the bot will ask whether to create a new one or attach the message to one of them.",
};
/// `{menu}`, `{help}`, `{start}` are the commands.
HELP_COMMANDS = {
    ru: "{menu} или {help} — эта подсказка, {start} — главное меню.",
    en: "{menu} or {help} — this help, {start} — the main menu.",
};
/// For a client whose phone is a contact's of several companies. `{company}` is the command.
HELP_COMPANY = {
    ru: "{company} — выбрать другую компанию: ваш номер указан у контактных лиц нескольких компаний.",
    en: "{company} — choose another company: your number is listed for contacts of several companies.",
};
NEW_TICKET_PROMPT = {
    ru: "Напишите пожалуйста, чем мы можем вам помочь? 👇\n\nВы можете написать текстом или приложить изображения или файлы.",
    en: "Please tell us how we can help 👇\n\nYou can write a message or attach images or files.",
};
/// `{id}` is the ticket number.
TICKET_CREATED = {
    ru: "✔️ Ваше обращение зарегистрировано с номером #{id}.\n\nМы будем держать вас в курсе хода работы.",
    en: "✔️ Your request has been registered under number #{id}.\n\nWe'll keep you posted on the progress.",
};
/// Subject of a ticket made of files only; `{name}` is the contact's name.
FILES_SUBJECT = {
    ru: "Файлы от {name}",
    en: "Files from {name}",
};
NEW_OR_ATTACH = {
    ru: "У вас есть обращения в работе. Создать новую заявку или прикрепить это сообщение к одной из них? 👇",
    en: "You have requests in progress. Create a new request or attach this message to one of them? 👇",
};
BTN_NEW_REQUEST = {
    ru: "➕ Новая заявка",
    en: "➕ Create a new request",
};
BTN_ATTACH = {
    ru: "💬 Прикрепить к заявке",
    en: "💬 Attach to a request",
};
/// A message that would not fit beside the one waiting for "new or attach?".
PENDING_FULL = {
    ru: "⚠️ Это сообщение не добавлено: к сообщению, которое ждёт вашего выбора, уже приложено слишком много. Сначала выберите «➕ Новая заявка» или «💬 Прикрепить к заявке» выше, а затем отправьте это сообщение ещё раз.",
    en: "⚠️ This message wasn't added: the message waiting for your choice already has too much attached. First choose “➕ Create a new request” or “💬 Attach to a request” above, then send this message again.",
};
CHOOSE_TICKET_TO_ATTACH = {
    ru: "Выберите обращение, к которому прикрепить сообщение 👇",
    en: "Choose the request to attach the message to 👇",
};
/// The ticket chosen to attach to is no longer active, and no other is.
NO_TICKET_TO_ATTACH = {
    ru: "Обращений в работе, к которым можно прикрепить сообщение, больше нет. Создать из него новую заявку? 👇",
    en: "There are no more requests in progress to attach the message to. Create a new request from it? 👇",
};
/// A menu button (or `/start`) while a message waited for "new or attach?": it is dropped.
PENDING_DROPPED = {
    ru: "Сообщение, которое ждало выбора «➕ Новая заявка» или «💬 Прикрепить к заявке», не отправлено. Если оно ещё нужно, пришлите его снова.",
    en: "The message that was waiting for your choice of “➕ Create a new request” or “💬 Attach to a request” wasn't sent. If you still need it, please send it again.",
};
/// `{id}` is the ticket number.
COMMENT_ADDED = {
    ru: "✔️ Ваш комментарий добавлен к обращению #{id}.\n\nМы будем сообщать обо всех изменениях обращения.",
    en: "✔️ Your comment has been added to request #{id}.\n\nWe'll let you know about every change to the request.",
};
/// The ticket commented on was completed while the client wrote. `{id}` is its number.
COMMENT_ADDED_AS_QUESTION = {
    ru: "✔️ Обращение #{id} тем временем выполнено, поэтому ваш комментарий добавлен к нему как вопрос по выполненной задаче.\n\nМы будем сообщать обо всех изменениях обращения.",
    en: "✔️ Request #{id} has been completed in the meantime, so your comment was added to it as a question about a completed request.\n\nWe'll let you know about every change to the request.",
};
/// The ticket commented on was cancelled while the client wrote. `{id}` is its number.
COMMENT_TICKET_CANCELLED = {
    ru: "Обращение #{id} тем временем отменено, поэтому комментарий к нему не добавлен. Ваше сообщение не потеряно: создать из него новую заявку? 👇",
    en: "Request #{id} has been cancelled in the meantime, so the comment wasn't added to it. Your message isn't lost: shall we create a new request from it? 👇",
};
/// The ticket commented on is no longer the client's. `{id}` is its number.
COMMENT_TICKET_UNAVAILABLE = {
    ru: "Обращение #{id} уже недоступно, поэтому комментарий к нему не добавлен. Ваше сообщение не потеряно: создать из него новую заявку? 👇",
    en: "Request #{id} is no longer available, so the comment wasn't added to it. Your message isn't lost: shall we create a new request from it? 👇",
};
/// `{name}` is the file's name.
FILE_TOO_LARGE = {
    ru: "⚠️ Файл «{name}» не принят: он больше 20 МБ, а Telegram не даёт ботам скачивать такие файлы. Пришлите его, пожалуйста, частями или ссылкой.",
    en: "⚠️ The file “{name}” wasn't accepted: it's larger than 20 MB, and Telegram doesn't let bots download files that large. Please send it in parts or as a link.",
};
/// Telegram would not hand the file over. `{name}` is the file's name.
FILE_UNREADABLE = {
    ru: "⚠️ Файл «{name}» не принят: его не удалось прочитать. Пришлите его, пожалуйста, ещё раз или в другом формате.",
    en: "⚠️ The file “{name}” wasn't accepted: it couldn't be read. Please send it again or in another format.",
};
/// A photo whose bytes are not an image. `{name}` is the file's name.
FILE_NOT_AN_IMAGE = {
    ru: "⚠️ Фото «{name}» не принято: это не изображение или оно повреждено. Пришлите его, пожалуйста, ещё раз или как документ.",
    en: "⚠️ The photo “{name}” wasn't accepted: it isn't an image, or it's damaged. Please send it again or as a document.",
};
/// A photo larger than the bot converts (in pixels, not bytes). `{name}` is the file's name.
FILE_PICTURE_TOO_LARGE = {
    ru: "⚠️ Фото «{name}» не принято: изображение слишком большое, чтобы бот мог его обработать. Уменьшите его или пришлите как документ.",
    en: "⚠️ The photo “{name}” wasn't accepted: the image is too large for the bot to process. Please make it smaller or send it as a document.",
};
/// An update that will never be taken because it is too large to store.
UPDATE_TOO_LARGE = {
    ru: "⚠️ Это сообщение не удалось сохранить: оно слишком большое. Пожалуйста, разделите его на несколько сообщений поменьше.",
    en: "⚠️ This message couldn't be saved: it's too large. Please split it into several smaller messages.",
};
/// An update that failed for a reason of ours. `{support}` is the support desk's phone.
UPDATE_FAILED = {
    ru: "⚠️ Не удалось обработать это сообщение из-за ошибки на нашей стороне. Пожалуйста, отправьте его ещё раз чуть позже или позвоните в службу поддержки по телефону {support}.",
    en: "⚠️ This message couldn't be processed because of an error on our side. Please send it again a little later or call the support desk at {support}.",
};
/// `{kind}` names what was sent: [`unsupported_kind`].
UNSUPPORTED = {
    ru: "К обращению нельзя добавить {kind}. 🙏\n\nПришлите, пожалуйста, текст, фото или документ — голосовые сообщения, аудио и видео тоже подойдут.",
    en: "Sorry, {kind} can't be added to a request. 🙏\n\nPlease send text, a photo or a document — voice messages, audio and video work too.",
};
/// Answer to a press of a button whose moment has passed.
BUTTON_STALE = {
    ru: "Эта кнопка больше не действует.",
    en: "This button no longer works.",
};
/// `{id}` is the ticket number.
TICKET_NOT_AVAILABLE = {
    ru: "Обращение #{id} уже недоступно для этого действия.",
    en: "Request #{id} is no longer available for this action.",
};
CHOOSE_TICKET_STATUS = {
    ru: "Выберите обращение, статус которого хотите узнать 👇",
    en: "Choose the request whose status you'd like to check 👇",
};
CHOOSE_TICKET_COMMENT = {
    ru: "Выберите обращение, к которому хотите добавить комментарий 👇",
    en: "Choose the request you'd like to comment on 👇",
};
CHOOSE_TICKET_CANCEL = {
    ru: "Выберите обращение, которое хотите отменить 👇",
    en: "Choose the request you'd like to cancel 👇",
};
CHOOSE_TICKET_DONE = {
    ru: "Выберите выполненное обращение, по которому у вас вопрос 👇",
    en: "Choose the completed request you have a question about 👇",
};
NO_ACTIVE_TICKETS = {
    ru: "У вас нет обращений в работе.",
    en: "You have no requests in progress.",
};
NO_COMPLETED_TICKETS = {
    ru: "У вас нет выполненных обращений.",
    en: "You have no completed requests.",
};
/// The ticket card. `{id}`, `{subject}`, `{assignee}`, `{status}`, `{deadline}`.
TICKET_CARD = {
    ru: "📋 #{id} {subject}\n\n🧑‍💻 {assignee}\n🏷️ {status}\n🕒 {deadline}",
    en: "📋 #{id} {subject}\n\n🧑‍💻 {assignee}\n🏷️ {status}\n🕒 {deadline}",
};
COMMENT_PROMPT = {
    ru: "Напишите текст комментария или приложите файл или изображение 👇",
    en: "Write your comment or attach a file or an image 👇",
};
/// `{id}` is the ticket number.
TICKET_CANCELLED = {
    ru: "✔️ Ваше обращение {id} отменено. Вся работа по обращению прекращена.",
    en: "✔️ Your request {id} has been cancelled. All work on it has stopped.",
};
NO_MORE_ACTIVE = {
    ru: "У вас больше нет обращений в работе.",
    en: "You have no more requests in progress.",
};
/// The manager was told in Telegram.
CALL_ME_NOTIFIED = {
    ru: "✔️ Мы уведомили менеджера и скоро с вами свяжемся 🤝",
    en: "✔️ We've notified your manager and will be in touch soon 🤝",
};
/// No manager (or one without Telegram): the request waits for the desk's staff.
CALL_ME_RECORDED = {
    ru: "✔️ Мы записали вашу просьбу и передали её в службу поддержки — с вами свяжутся в ближайшее время 🤝",
    en: "✔️ We've recorded your call-back request and passed it on to the support desk — someone will contact you shortly 🤝",
};
/// Added to the confirmation of a ticket or comment made outside working hours. `{day}` (в
/// понедельник…), `{date}` (DD.MM), `{time}` (HH:MM): when the desk opens.
AFTER_HOURS = {
    ru: "🌙 Сейчас нерабочее время. Мы приступим к работе {day}, {date} в {time}.",
    en: "🌙 We're outside working hours right now. We'll get started {day}, {date} at {time}.",
};
/// Above the rating buttons, on the notice that a ticket is done.
RATING_ASK = {
    ru: "Оцените, пожалуйста, нашу работу по этому обращению: от ⭐ 1 (плохо) до ⭐ 5 (отлично).",
    en: "Please rate our work on this request: from ⭐ 1 (poor) to ⭐ 5 (excellent).",
};
/// `{id}`, `{stars}`.
RATING_THANKS = {
    ru: "🙏 Спасибо за оценку обращения №{id}: {stars}. Изменить её можно в течение 7 дней, нажав другую кнопку.",
    en: "🙏 Thank you for rating request #{id}: {stars}. You can change your rating within 7 days by tapping another button.",
};
/// `{id}`, `{stars}`.
RATING_CHANGED = {
    ru: "✏️ Оценка обращения №{id} изменена: {stars}.",
    en: "✏️ Your rating of request #{id} has been changed: {stars}.",
};
RATING_CLOSED = {
    ru: "Оценить обращение можно в течение 7 дней после выполнения — это время прошло.",
    en: "A request can be rated within 7 days of completion — that time has passed.",
};
/// To the assignee and the manager. `{score}`, `{contact}`, `{client}`.
NOTICE_LOW_RATING = {
    ru: "⚠️ Клиент <b>{contact}</b> ({client}) оценил работу на {score} из 5.",
    en: "⚠️ Client <b>{contact}</b> ({client}) rated the work {score} out of 5.",
};
/// A request made earlier is still open (and recent): the manager is not asked again.
CALL_ME_STANDING = {
    ru: "☎️ Вы уже просили связаться с вами — просьба передана, и с вами обязательно свяжутся. Повторно отправлять её не нужно 🤝",
    en: "☎️ You've already asked us to contact you — your request has been passed on, and someone will definitely get in touch. There's no need to send it again 🤝",
};
/// To the manager. `{contact}`, `{client}`, `{phone}`.
NOTICE_CALL_ME = {
    ru: "📞 Клиент просит связаться с ним: <b>{contact}</b> ({client}), телефон {phone}.",
    en: "📞 A client asks to be contacted: <b>{contact}</b> ({client}), phone {phone}.",
};
BTN_PREV_PAGE = {
    ru: "◀️ Назад",
    en: "◀️ Back",
};
BTN_NEXT_PAGE = {
    ru: "Вперёд ▶️",
    en: "Next ▶️",
};
/// First line of every ticket notification. `{id}`, `{subject}`.
NOTICE_TICKET = {
    ru: "📋 Обращение #{id} «{subject}»",
    en: "📋 Request #{id} “{subject}”",
};
NOTICE_CREATED = {
    ru: "🆕 Ваше обращение зарегистрировано с номером #{id}.",
    en: "🆕 Your request has been registered under number #{id}.",
};
NOTICE_STATUS = {
    ru: "🏷️ Новый статус: <b>{status}</b>",
    en: "🏷️ New status: <b>{status}</b>",
};
NOTICE_DONE = {
    ru: "✅ Обращение выполнено (статус «{status}»). Если остались вопросы, нажмите «🧐 У меня вопрос по одной из уже выполненных задач».",
    en: "✅ The request has been completed (status “{status}”). If you have any questions, tap “🧐 I have a question about a completed request”.",
};
NOTICE_ASSIGNEE = {
    ru: "🧑‍💻 Исполнитель: <b>{name}</b>",
    en: "🧑‍💻 Assignee: <b>{name}</b>",
};
NOTICE_UNASSIGNED = {
    ru: "🧑‍💻 Исполнитель снят, обращение ждёт назначения.",
    en: "🧑‍💻 The assignee has been removed; the request is waiting to be assigned.",
};
NOTICE_DEADLINE = {
    ru: "🕒 Срок выполнения: <b>{deadline}</b>",
    en: "🕒 Due: <b>{deadline}</b>",
};
NOTICE_DEADLINE_CLEARED = {
    ru: "🕒 Срок выполнения снят.",
    en: "🕒 The due date has been removed.",
};
NOTICE_COMMENT = {
    ru: "💬 Новый комментарий от <b>{author}</b>:\n{text}",
    en: "💬 New comment from <b>{author}</b>:\n{text}",
};
/// A notice's files Telegram would not take (too large, refused): where they are instead.
/// `{names}`: the files' names, escaped; `{url}`: the ticket in the desk.
NOTICE_FILES_REFUSED = {
    ru: "📎 Файлы не удалось отправить в Telegram: {names}. Они есть в заявке: {url}",
    en: "📎 The files could not be sent in Telegram: {names}. They are in the request: {url}",
};
NOTICE_LINK = {
    ru: "🔗 {url}",
    en: "🔗 {url}",
};
BTN_OPEN_TICKET = {
    ru: "Открыть обращение",
    en: "Open request",
};
/// The inline button on staff notices about a ticket: its card (`dialogue::Press::Card`).
BTN_CARD = {
    ru: "📋 Карточка",
    en: "📋 Details",
};
/// To employees. `{client}`, `{contact}`, `{phone}`.
NOTICE_VIP_TICKET = {
    ru: "⭐ Новое обращение VIP-клиента <b>{client}</b> от {contact}.",
    en: "⭐ New request from {contact} of VIP client <b>{client}</b>.",
};
NOTICE_CLIENT_COMMENT = {
    ru: "💬 Клиент <b>{contact}</b> ({client}) оставил комментарий:\n{text}",
    en: "💬 Client <b>{contact}</b> ({client}) left a comment:\n{text}",
};
NOTICE_CLIENT_CANCELLED = {
    ru: "🛑 Клиент <b>{contact}</b> ({client}) отменил обращение в боте.",
    en: "🛑 Client <b>{contact}</b> ({client}) cancelled the request in the bot.",
};
/// Stands for the text of a comment made of files only.
FILES_ONLY = {
    ru: "📎",
    en: "📎",
};
/// Shown for dates that are not set.
NOT_SET = {
    ru: "Не назначен",
    en: "Not set",
};


// ---- Edits: a client corrects a message that became a ticket or a comment --------------------
/// The comment a client's edit of a message that became a ticket or comment adds to it.
/// `{text}`: the message as it now reads.
EDIT_COMMENT = { ru: "✏️ Исправлено: {text}", en: "✏️ Corrected: {text}" };
/// The edit became a comment on ticket `{id}`.
EDIT_ADDED = {
    ru: "✏️ Исправление добавлено к обращению #{id}.",
    en: "✏️ Your correction has been added to request #{id}.",
};
/// An edit of a message sent longer ago than the edit window, which the text names in hours
/// ([`crate::dialogue::EDIT_WINDOW_HOURS`], put in when the catalog is compiled: the number is no
/// placeholder, so the text stays one the bot reads a ticket number back from, see
/// `dialogue::ticket_named_in`; «часов» is the form for 48). `{id}`: the ticket it became. A
/// reply to this message is a comment on it.
EDIT_TOO_LATE = {
    ru: concat!("Исправления сообщений принимаются в течение ", edit_window_hours!(), " часов после отправки, поэтому к обращению #{id} это исправление не добавлено. Если нужно что-то уточнить, ответьте на это сообщение — ответ станет комментарием к обращению."),
    en: concat!("Corrections are accepted within ", edit_window_hours!(), " hours of sending, so this one wasn't added to request #{id}. If something needs clarifying, reply to this message: your reply will become a comment on the request."),
};
/// An edit of a message whose ticket was cancelled. `{id}`: the ticket.
EDIT_NOT_ADDED = {
    ru: "Обращение #{id} отменено, поэтому исправление к нему не добавлено.",
    en: "Request #{id} has been cancelled, so the correction wasn't added to it.",
};

// ---- Staff replies: an employee answers a notice about a ticket with a Telegram reply -------
/// The reply became a comment the client sees. `{id}`.
STAFF_COMMENT_ADDED = {
    ru: "✔️ Комментарий добавлен к обращению #{id}. Клиент получит его текст в Telegram.",
    en: "✔️ Comment added to request #{id}. The client will get its text in Telegram.",
};
/// The reply (`!` first, or files alone) became an internal note. `{id}`.
STAFF_NOTE_ADDED = {
    ru: "🔒 Внутренняя заметка добавлена к обращению #{id}. Клиент её не видит. Чтобы ответить клиенту, ответьте на уведомление текстом без «!» в начале.",
    en: "🔒 Internal note added to request #{id}. The client doesn't see it. To answer the client, reply to the notice with text that doesn't start with “!”.",
};
/// A reply to a message the bot does not know as about one ticket (an old notice, a card, a
/// forged id): nothing was added.
STAFF_REPLY_NOT_ATTACHED = {
    ru: "Ответ не добавлен ни к одному обращению: бот не знает, к какому обращению относится это сообщение. Чтобы ответить клиенту, ответьте на уведомление об обращении; ответ с «!» в начале — внутренняя заметка.",
    en: "The reply wasn't added to any request: the bot doesn't know which request this message is about. To answer a client, reply to a notice about the request; a reply starting with “!” is an internal note.",
};
/// A reply to a call-back request's notice: such a request is about no one ticket.
STAFF_REPLY_CALL_ME = {
    ru: "Просьба перезвонить не привязана к обращению, поэтому ответ не сохранён и клиенту не отправлен. Позвоните клиенту по номеру из уведомления.",
    en: "A call-back request isn't tied to a ticket, so the reply wasn't saved or sent to the client. Please call the client at the number in the notice.",
};
/// A reply of nothing to store (a bare «!»).
STAFF_REPLY_EMPTY = {
    ru: "Ответ пустой — добавлять нечего. После «!» напишите текст заметки.",
    en: "The reply is empty: there's nothing to add. Write the note's text after “!”.",
};

// ---- What menu buttons do (spec: "Главное меню бота"), for `/help` ---------------------------
HINT_NEW_TICKET = { ru: "создать новую заявку", en: "create a new request" };
HINT_STATUS = { ru: "узнать статус заявки", en: "check a request's status" };
HINT_COMMENT = { ru: "добавить комментарий к заявке", en: "add a comment to a request" };
HINT_CANCEL = { ru: "отменить заявку", en: "cancel a request" };
HINT_CALL_ME = { ru: "уведомить менеджера", en: "notify your account manager" };
HINT_QUESTION = { ru: "добавить комментарий к выполненной заявке", en: "add a comment to a completed request" };

// ---- Commands: what Telegram shows next to each in the chat's command list ------------------
COMMAND_START = { ru: "Начать работу с ботом", en: "Start using the bot" };
COMMAND_MENU = { ru: "Главное меню и что делает каждая кнопка", en: "Main menu and what each button does" };
COMMAND_HELP = { ru: "Что умеет бот", en: "What the bot can do" };
COMMAND_COMPANY = { ru: "Выбрать компанию, от имени которой вы работаете", en: "Choose the company you work for" };
COMMAND_UNLINK = { ru: "Отвязать этот Telegram от вашего контакта", en: "Unlink this Telegram account from your contact" };
COMMAND_LANGUAGE = { ru: "Язык бота: русский или английский", en: "The bot's language: English or Russian" };
COMMAND_TICKETS = { ru: "Мои открытые обращения", en: "My open requests" };

// ---- Language (`/language`) --------------------------------------------------------------------
/// The line of `/help` that names the language choice. `{language}`: the command.
HELP_LANGUAGE = {
    ru: "{language} — выбрать язык бота: русский или английский.",
    en: "{language} — choose the bot's language: English or Russian.",
};
/// `/language`: above the buttons «Русский» / «English».
LANGUAGE_PROMPT = { ru: "Выберите язык бота 👇", en: "Choose the bot's language 👇" };
/// The language was chosen: said in it.
LANGUAGE_CHOSEN = {
    ru: "✔️ Готово: теперь бот будет говорить с вами по-русски.",
    en: "✔️ Done: the bot will speak English with you from now on.",
};

// ---- Staff in Telegram ---------------------------------------------------------------------------
/// On staff notices and the staff card (`dialogue::StaffAction`).
BTN_TAKE = { ru: "🙋 Взять себе", en: "🙋 Take it" };
BTN_START = { ru: "▶️ В работу", en: "▶️ Start" };
BTN_DONE = { ru: "✅ Выполнено", en: "✅ Done" };
/// The short answer on a staff button that changed the ticket. `{id}`.
STAFF_TAKEN = { ru: "🙋 Обращение #{id} теперь ваше", en: "🙋 Request #{id} is yours now" };
STAFF_STARTED = { ru: "▶️ Обращение #{id} в работе", en: "▶️ Request #{id} is in progress" };
STAFF_DONE = { ru: "✅ Обращение #{id} выполнено: клиента попросят оценить работу", en: "✅ Request #{id} is done: the client will be asked to rate the work" };
/// A staff button whose moment has passed (the ticket changed, someone took it first): the
/// card as it is now follows. `{id}`.
STAFF_STALE = {
    ru: "Обращение #{id} уже изменилось — вот его карточка сейчас.",
    en: "Request #{id} has changed meanwhile: here is its card as it is now.",
};
/// `/tickets` for an employee.
CHOOSE_ASSIGNED_TICKET = { ru: "Ваши открытые обращения, новые сверху 👇", en: "Your open requests, newest first 👇" };
NO_ASSIGNED_TICKETS = { ru: "На вас сейчас нет открытых обращений.", en: "You have no open requests assigned to you." };
/// `/help` for an employee.
EMPLOYEE_HELP = {
    ru: "Вы зарегистрированы как сотрудник службы поддержки. Сюда приходят уведомления о заявках ваших клиентов.\n\n💬 Ответьте («Ответить») на уведомление об обращении — ответ станет комментарием, и клиент его получит. Начните ответ с «!» — это внутренняя заметка, клиент её не увидит.\n📋 «Карточка» на уведомлении показывает обращение целиком.\n🙋 «Взять себе», ▶️ «В работу», ✅ «Выполнено» на уведомлении или карточке меняют обращение сразу — клиент узнает об этом, как обычно.\n/tickets — ваши открытые обращения.",
    en: "You're registered as a support desk employee. Notifications about your clients' requests arrive here.\n\n💬 Reply («Reply») to a notification about a request: the reply becomes a comment, and the client gets it. Start the reply with «!» for an internal note the client never sees.\n📋 «Details» on a notification shows the whole request.\n🙋 «Take it», ▶️ «Start», ✅ «Done» on a notification or a card change the request at once, and the client hears of it as usual.\n/tickets shows your open requests.",
};

// ---- Working hours -----------------------------------------------------------------------------
/// `{day}` in [`AFTER_HOURS`]: the day the desk opens.
ON_MONDAY = { ru: "в понедельник", en: "on Monday" };
ON_TUESDAY = { ru: "во вторник", en: "on Tuesday" };
ON_WEDNESDAY = { ru: "в среду", en: "on Wednesday" };
ON_THURSDAY = { ru: "в четверг", en: "on Thursday" };
ON_FRIDAY = { ru: "в пятницу", en: "on Friday" };
ON_SATURDAY = { ru: "в субботу", en: "on Saturday" };
ON_SUNDAY = { ru: "в воскресенье", en: "on Sunday" };

// ---- Rating ------------------------------------------------------------------------------------
/// The short answer on the pressed rating button. `{stars}`.
RATING_PRESSED = { ru: "Спасибо! Ваша оценка: {stars}", en: "Thank you! Your rating: {stars}" };

// ---- Status names ------------------------------------------------------------------------------
STATUS_NEW = { ru: "Новая", en: "New" };
STATUS_IN_PROGRESS = { ru: "В работе", en: "In progress" };
STATUS_WAITING = { ru: "Ожидает ответа", en: "Awaiting reply" };
STATUS_DONE = { ru: "Выполнен", en: "Completed" };
STATUS_CLOSED = { ru: "Закрыт", en: "Closed" };
STATUS_CANCELLED = { ru: "Отменена", en: "Cancelled" };

// ---- Things the bot does not take: `{kind}` in [`UNSUPPORTED`] («нельзя добавить …»: accusative)
KIND_STICKER = { ru: "стикер", en: "a sticker" };
KIND_POLL = { ru: "опрос", en: "a poll" };
KIND_DICE = { ru: "кубик", en: "a dice roll" };
KIND_OTHER = { ru: "сообщение этого типа", en: "a message of this type" };
}

/// The label of a menu button.
pub fn menu_button_label(button: MenuButton, lang: Lang) -> &'static str {
    menu_button_text(button).get(lang)
}

/// The label of a menu button in every language.
pub fn menu_button_text(button: MenuButton) -> Text {
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
pub fn menu_button_hint(button: MenuButton, lang: Lang) -> &'static str {
    match button {
        MenuButton::NewTicket => HINT_NEW_TICKET,
        MenuButton::Status => HINT_STATUS,
        MenuButton::Comment => HINT_COMMENT,
        MenuButton::Cancel => HINT_CANCEL,
        MenuButton::CallMe => HINT_CALL_ME,
        MenuButton::Question => HINT_QUESTION,
    }
    .get(lang)
}

/// What Telegram shows next to each command in the chat's command list.
pub fn command_description(command: Command, lang: Lang) -> &'static str {
    match command {
        Command::Start => COMMAND_START,
        Command::Menu => COMMAND_MENU,
        Command::Help => COMMAND_HELP,
        Command::Company => COMMAND_COMPANY,
        Command::Unlink => COMMAND_UNLINK,
        Command::Language => COMMAND_LANGUAGE,
        Command::Tickets => COMMAND_TICKETS,
    }
    .get(lang)
}

/// [`AFTER_HOURS`] for the desk's next opening.
pub fn after_hours<Z: chrono::TimeZone>(opening: chrono::DateTime<Z>, lang: Lang) -> String
where
    Z::Offset: std::fmt::Display,
{
    use chrono::Datelike;
    const WEEKDAYS: [Text; 7] = [ON_MONDAY, ON_TUESDAY, ON_WEDNESDAY, ON_THURSDAY, ON_FRIDAY, ON_SATURDAY, ON_SUNDAY];
    let day = WEEKDAYS[opening.weekday().num_days_from_monday() as usize].get(lang);
    // 30.11 in Russian; 30 November in English.
    let date = match lang {
        Lang::Ru => opening.format("%d.%m").to_string(),
        Lang::En => opening.format("%-d %B").to_string(),
    };
    fill(AFTER_HOURS.get(lang), &[("day", day), ("date", &date), ("time", &opening.format("%H:%M").to_string())])
}

/// The rating buttons' labels: `⭐ 1` … `⭐ 5`.
pub fn rating_button(score: u8) -> String {
    format!("⭐ {score}")
}

/// A score as stars: `⭐⭐⭐`.
pub fn stars(score: u8) -> String {
    "⭐".repeat(usize::from(score))
}

/// The short answer on the pressed button.
pub fn rating_thanks(score: u8, lang: Lang) -> String {
    fill(RATING_PRESSED.get(lang), &[("stars", &stars(score))])
}

/// The status name people read.
pub fn status_name(status: crate::domain::TicketStatus, lang: Lang) -> &'static str {
    use crate::domain::TicketStatus::*;
    match status {
        New => STATUS_NEW,
        InProgress => STATUS_IN_PROGRESS,
        Waiting => STATUS_WAITING,
        Done => STATUS_DONE,
        Closed => STATUS_CLOSED,
        Cancelled => STATUS_CANCELLED,
    }
    .get(lang)
}

/// What was sent, as it fills `{kind}` in [`UNSUPPORTED`].
pub fn unsupported_kind(kind: Unsupported, lang: Lang) -> &'static str {
    match kind {
        Unsupported::Sticker => KIND_STICKER,
        Unsupported::Poll => KIND_POLL,
        Unsupported::Dice => KIND_DICE,
        Unsupported::Other => KIND_OTHER,
    }
    .get(lang)
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

    /// The `{placeholders}` of a text, in order.
    fn placeholders(text: &str) -> Vec<&str> {
        let mut found = vec![];
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else { break };
            found.push(&rest[start + 1..start + len]);
            rest = &rest[start + len + 1..];
        }
        found
    }

    #[test]
    fn fill_replaces_every_placeholder() {
        let text = fill(PHONE_NOT_FOUND.ru, &[("phone", "+79123456789"), ("support", "8 800 555-35-35")]);
        assert!(text.contains("+79123456789"));
        assert!(text.contains("8 800 555-35-35"));
        assert!(!text.contains('{'));
    }

    #[test]
    fn every_text_has_both_languages_with_the_same_placeholders() {
        assert!(ALL.len() > 100, "the list holds the catalog");
        for (name, text) in ALL {
            assert!(!text.ru.trim().is_empty() && !text.en.trim().is_empty(), "{name}: a version is empty");
            let (mut ru, mut en) = (placeholders(text.ru), placeholders(text.en));
            ru.sort_unstable();
            en.sort_unstable();
            assert_eq!(ru, en, "{name}: the placeholders differ");
            // English is English: no Cyrillic letters left behind.
            assert!(!text.en.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c)), "{name}: Cyrillic in English");
        }
        let names: std::collections::HashSet<&str> = ALL.iter().map(|(name, _)| *name).collect();
        assert_eq!(names.len(), ALL.len(), "every text once");
    }

    #[test]
    fn labels_the_dialogue_matches_differ_between_buttons_in_every_language() {
        let labels: Vec<&str> =
            MenuButton::ALL.into_iter().flat_map(|b| menu_button_text(b).any()).chain(BTN_SHARE_PHONE.any()).collect();
        let distinct: std::collections::HashSet<&&str> = labels.iter().collect();
        assert_eq!(distinct.len(), labels.len(), "a label stands for one button");
    }

    #[test]
    fn telegram_language_codes_are_read_by_their_primary_language() {
        assert_eq!(Lang::of_telegram("en"), Some(Lang::En));
        assert_eq!(Lang::of_telegram("en-GB"), Some(Lang::En));
        assert_eq!(Lang::of_telegram("ru"), Some(Lang::Ru));
        assert_eq!(Lang::of_telegram("de"), None);
        assert_eq!(Lang::of_telegram("eng"), None);
        assert_eq!(Lang::of_telegram(""), None);
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
    }

    #[test]
    fn the_opening_is_worded_in_each_language() {
        use chrono::TimeZone;
        let monday = chrono::Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
        assert_eq!(
            after_hours(monday, Lang::Ru),
            fill(AFTER_HOURS.ru, &[("day", "в понедельник"), ("date", "30.11"), ("time", "09:00")])
        );
        assert_eq!(
            after_hours(monday, Lang::En),
            fill(AFTER_HOURS.en, &[("day", "on Monday"), ("date", "30 November"), ("time", "09:00")])
        );
    }
}
