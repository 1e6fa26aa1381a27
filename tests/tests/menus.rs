//! The client always sees the right menu, and nothing they write is lost or misexplained, end to
//! end: the webhook, the staff API, the TicketsTable stream and the notifier against DynamoDB
//! Local, moto's S3 and the fake Telegram. Every message a test looks at is checked for its text
//! and for the keyboard it leaves on screen.

use e2e::fake_telegram::Call;
use e2e::simulator::Simulator;
use e2e::{updates, TestEnv};
use serde_json::{json, Value};
use shared::texts;

const ANNA: u64 = 5001; // contact c1 of k1 «ООО Ромашка»
const CHAT: i64 = ANNA as i64;

const ACTIVE: [&str; 4] = [texts::BTN_NEW_TICKET.ru, texts::BTN_STATUS.ru, texts::BTN_COMMENT.ru, texts::BTN_CANCEL.ru];
const NOTHING_ACTIVE: [&str; 2] = [texts::BTN_NEW_TICKET.ru, texts::BTN_CALL_ME.ru];
const WITH_COMPLETED: [&str; 3] = [texts::BTN_NEW_TICKET.ru, texts::BTN_CALL_ME.ru, texts::BTN_QUESTION_DONE.ru];

/// Анна registered (k1, c1; manager e1 not in Telegram), and an engineer e2.
async fn world() -> TestEnv {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    let (status, _) = env.api("PUT", "/employees/e2", Some(json!({"name": "Пётр Инженеров"}))).await;
    assert_eq!(status, 201);
    env
}

/// A ticket staff open for Анна through the staff API.
async fn open(env: &TestEnv, subject: &str) -> u64 {
    let body = json!({"contact_id": "c1", "subject": subject, "source": "email"});
    let (status, ticket) = env.api("POST", "/tickets", Some(body)).await;
    assert_eq!(status, 201, "{ticket}");
    ticket["id"].as_u64().unwrap()
}

async fn set_status(env: &TestEnv, id: u64, status: &str) {
    let (code, ticket) = env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"status": status}))).await;
    assert_eq!(code, 200, "{ticket}");
}

/// Whether a message is the request to rate a done ticket (its score buttons, after the done
/// notice: it leaves the menu the notice set).
fn asks_for_a_score(message: &Call) -> bool {
    message.inline_buttons().iter().any(|(_, data)| data.starts_with("rt:"))
}

/// The last message Анна got (a request to rate aside): its text and the reply keyboard it set
/// (empty: it left the keyboard as it was).
fn last(env: &TestEnv) -> (String, Vec<String>) {
    let mut messages = env.telegram.messages_to(CHAT);
    messages.retain(|m| !asks_for_a_score(m));
    let message = messages.pop().expect("a message to Анна");
    (message.text().unwrap_or_default().to_owned(), message.reply_keyboard())
}

/// The notifier's messages to Анна since `from`, requests to rate aside (each must set her menu).
fn notices_since(env: &TestEnv, from: usize) -> Vec<Call> {
    let mut notices = env.telegram.messages_to(CHAT).split_off(from);
    notices.retain(|m| !asks_for_a_score(m));
    notices
}

fn status_line(name: &str) -> String {
    texts::fill(texts::NOTICE_STATUS.ru, &[("status", name)])
}

/// Sends a text from Анна and returns the inline buttons of the bot's last message.
async fn say(env: &TestEnv, update_id: u64, text: &str) -> Vec<(String, String)> {
    env.deliver(&updates::text(update_id, ANNA, text)).await;
    env.telegram.messages_to(CHAT).pop().expect("a reply").inline_buttons()
}

async fn press(env: &TestEnv, update_id: u64, data: &str) -> Vec<(String, String)> {
    env.deliver(&updates::callback(update_id, ANNA, data)).await;
    env.telegram.messages_to(CHAT).pop().expect("a reply").inline_buttons()
}

// ---- 1 and 7: every notice leaves the right menu; one completion notice -------------------

#[tokio::test]
async fn every_notice_leaves_the_menu_the_change_made_and_a_completion_is_announced_once() {
    let env = world().await;
    let id = open(&env, "Не работает почта").await;
    env.run_notifier().await;
    let (text, keyboard) = last(&env);
    assert!(text.contains(&texts::fill(texts::NOTICE_CREATED.ru, &[("id", &id.to_string())])), "{text}");
    assert_eq!(keyboard, ACTIVE, "a ticket opened by staff brings the active menu");

    set_status(&env, id, "in_progress").await;
    env.run_notifier().await;
    let (text, keyboard) = last(&env);
    assert!(text.contains(&status_line("В работе")), "{text}");
    assert_eq!(keyboard, ACTIVE);

    let comment = json!({"author_id": "e2", "text": "Выезжаю"});
    assert_eq!(env.api("POST", &format!("/tickets/{id}/comments"), Some(comment)).await.0, 201);
    env.run_notifier().await;
    let (text, keyboard) = last(&env);
    assert!(text.contains("Выезжаю"), "{text}");
    assert_eq!(keyboard, ACTIVE);

    set_status(&env, id, "done").await;
    env.run_notifier().await;
    let (text, keyboard) = last(&env);
    assert!(text.contains(&texts::fill(texts::NOTICE_DONE.ru, &[("status", "Выполнен")])), "{text}");
    assert_eq!(keyboard, WITH_COMPLETED, "the last ticket completed brings 🧐");

    set_status(&env, id, "closed").await;
    env.run_notifier().await;
    let (text, keyboard) = last(&env);
    assert!(text.contains(&status_line("Закрыт")) && !text.contains("✅"), "named plainly: {text}");
    assert_eq!(keyboard, WITH_COMPLETED);

    let second = open(&env, "Нужен VPN").await;
    env.run_notifier().await;
    assert_eq!(last(&env).1, ACTIVE);
    set_status(&env, second, "cancelled").await;
    env.run_notifier().await;
    let (text, keyboard) = last(&env);
    assert!(text.contains(&status_line("Отменена")), "{text}");
    assert_eq!(keyboard, WITH_COMPLETED);

    let notices = notices_since(&env, 0);
    assert_eq!(notices.len(), 7);
    assert!(notices.iter().all(|m| !m.reply_keyboard().is_empty()), "every notice sets the menu");
    let asks = env.telegram.messages_to(CHAT).iter().filter(|m| asks_for_a_score(m)).count();
    assert_eq!(asks, 1, "one request to rate, after the one completion");
    let completions = notices.iter().filter(|m| m.text().unwrap().contains("✅ Обращение выполнено")).count();
    assert_eq!(completions, 1, "one completion notice per completion");

    // The menu on screen works: 🧐 lists the completed ticket.
    let listed = say(&env, 40, texts::BTN_QUESTION_DONE.ru).await;
    assert_eq!(last(&env).0, texts::CHOOSE_TICKET_DONE.ru);
    assert_eq!(listed[0].0, format!("#{id} Не работает почта"));
}

#[tokio::test]
async fn the_menu_counts_every_change_of_a_batch_and_a_cancelled_last_ticket_leaves_no_question() {
    let env = world().await;
    let (first, second) = (open(&env, "Первая").await, open(&env, "Вторая").await);
    env.run_notifier().await;
    let from = env.telegram.messages_to(CHAT).len();
    // Both completed before the notifier runs: one batch, the contact's index possibly behind.
    set_status(&env, first, "done").await;
    set_status(&env, second, "done").await;
    env.run_notifier().await;
    let notices = notices_since(&env, from);
    assert_eq!(notices.len(), 2);
    assert_eq!(notices[1].reply_keyboard(), WITH_COMPLETED, "the last notice counts both completions");

    let env = world().await;
    let only = open(&env, "Единственная").await;
    env.run_notifier().await;
    set_status(&env, only, "cancelled").await;
    env.run_notifier().await;
    let (text, keyboard) = last(&env);
    assert!(text.contains(&status_line("Отменена")), "{text}");
    assert_eq!(keyboard, NOTHING_ACTIVE, "nothing active, nothing completed");
}

// ---- 2: commands --------------------------------------------------------------------------

#[tokio::test]
async fn menu_help_and_any_other_command_explain_the_menu_and_never_become_tickets() {
    let env = world().await;
    open(&env, "Принтер").await;
    env.run_notifier().await;
    for (n, command) in ["/help", "/menu", "/settings", "/help@desk_bot", "/MENU"].into_iter().enumerate() {
        env.webhook_requests.reset();
        env.deliver(&updates::text(10 + n as u64, ANNA, command)).await;
        let (text, keyboard) = last(&env);
        assert!(text.starts_with(texts::HELP_INTRO.ru), "{command}: {text}");
        for line in [
            "➕ Новое обращение — создать новую заявку",
            "❓ Узнать статус обращения — узнать статус заявки",
            "💬 Добавить комментарий — добавить комментарий к заявке",
            "🛑 Отменить обращение — отменить заявку",
            "/menu или /help — эта подсказка, /start — главное меню.",
        ] {
            assert!(text.contains(line), "{command}: no «{line}» in {text}");
        }
        assert!(!text.contains("/company"), "one company: no /company line");
        assert_eq!(keyboard, ACTIVE, "{command}");
        assert_eq!(env.webhook_requests.get(), 4, "user, tickets, the contact, its phone's matches");
    }
    assert_eq!(env.tickets_of("c1").await.len(), 1, "no command became a ticket");
    assert!(!env.telegram.texts_to(CHAT).iter().any(|t| t == texts::NEW_OR_ATTACH.ru), "nor asked about one");

    env.deliver(&updates::start(20, ANNA)).await;
    assert_eq!(last(&env), (texts::MENU_PROMPT.ru.to_owned(), ACTIVE.map(str::to_owned).to_vec()));
    // Text that only starts with a slash is a message, not a command.
    env.deliver(&updates::text(21, ANNA, "/etc/hosts не открывается")).await;
    assert_eq!(last(&env).0, texts::NEW_OR_ATTACH.ru);
}

// ---- 3: nothing written is lost -----------------------------------------------------------

/// Анна chose ticket `id` to comment on; the next message she writes is the comment.
async fn about_to_comment(env: &TestEnv, id: u64) {
    let listed = say(env, 30, texts::BTN_COMMENT.ru).await;
    let pick = listed.iter().find(|(label, _)| label.starts_with(&format!("#{id} "))).expect("the ticket listed");
    press(env, 31, &pick.1).await;
    assert_eq!(last(env).0, texts::COMMENT_PROMPT.ru);
}

#[tokio::test]
async fn a_comment_whose_ticket_was_completed_meanwhile_becomes_a_question_on_it() {
    let env = world().await;
    let id = open(&env, "Не печатает принтер").await;
    env.run_notifier().await;
    about_to_comment(&env, id).await;

    set_status(&env, id, "done").await;
    env.run_notifier().await;
    assert_eq!(last(&env).1, WITH_COMPLETED);

    env.deliver(&updates::text(32, ANNA, "Всё ещё не печатает")).await;
    let (text, keyboard) = last(&env);
    assert_eq!(text, texts::fill(texts::COMMENT_ADDED_AS_QUESTION.ru, &[("id", &id.to_string())]));
    assert_eq!(keyboard, WITH_COMPLETED);
    let stored = env.ticket(id).await;
    assert_eq!(stored.ticket.status, shared::domain::TicketStatus::Done);
    assert_eq!(stored.comments.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), ["Всё ещё не печатает"]);
}

#[tokio::test]
async fn a_comment_whose_ticket_was_cancelled_meanwhile_is_offered_as_a_new_ticket() {
    let env = world().await;
    let id = open(&env, "Заменить картридж").await;
    env.run_notifier().await;
    about_to_comment(&env, id).await;
    set_status(&env, id, "cancelled").await;
    env.run_notifier().await;
    assert_eq!(last(&env).1, NOTHING_ACTIVE);

    let offer = say(&env, 32, "Картридж нужен всё равно").await;
    assert_eq!(last(&env).0, texts::fill(texts::COMMENT_TICKET_CANCELLED.ru, &[("id", &id.to_string())]));
    assert_eq!(offer, [(texts::BTN_NEW_REQUEST.ru.to_owned(), "na:new".to_owned())], "nothing to attach to");
    assert!(env.ticket(id).await.comments.is_empty());

    press(&env, 33, "na:new").await;
    let tickets = env.tickets_of("c1").await;
    let made = tickets.iter().find(|t| t.id != id).expect("a new ticket");
    assert_eq!(made.subject, "Картридж нужен всё равно");
    let (text, keyboard) = last(&env);
    assert_eq!(text, texts::fill(texts::TICKET_CREATED.ru, &[("id", &made.id.to_string())]));
    assert_eq!(keyboard, ACTIVE);
}

#[tokio::test]
async fn new_ticket_works_after_attach_and_a_menu_press_says_the_waiting_message_was_not_sent() {
    let env = world().await;
    open(&env, "Принтер").await;
    env.run_notifier().await;

    let question = say(&env, 50, "И сканер тоже").await;
    assert_eq!(last(&env).0, texts::NEW_OR_ATTACH.ru);
    press(&env, 51, &question[1].1).await;
    assert_eq!(last(&env).0, texts::CHOOSE_TICKET_TO_ATTACH.ru);
    // The question's other button, pressed after all.
    press(&env, 52, &question[0].1).await;
    let tickets = env.tickets_of("c1").await;
    assert_eq!(tickets.len(), 2);
    assert_eq!(tickets[0].subject, "И сканер тоже");
    assert_eq!(
        last(&env),
        (
            texts::fill(texts::TICKET_CREATED.ru, &[("id", &tickets[0].id.to_string())]),
            ACTIVE.map(str::to_owned).to_vec()
        )
    );

    say(&env, 53, "А ещё мышь").await;
    assert_eq!(last(&env).0, texts::NEW_OR_ATTACH.ru);
    let from = env.telegram.messages_to(CHAT).len();
    say(&env, 54, texts::BTN_STATUS.ru).await;
    let said: Vec<String> = notices_since(&env, from).iter().map(|m| m.text().unwrap().to_owned()).collect();
    assert_eq!(said, [texts::PENDING_DROPPED.ru, texts::CHOOSE_TICKET_STATUS.ru]);
    assert_eq!(env.tickets_of("c1").await.len(), 2, "the dropped message made nothing");
    env.deliver(&updates::callback(55, ANNA, "na:new")).await;
    let answer = env.telegram.calls().into_iter().rfind(|c| c.method == "answerCallbackQuery").unwrap();
    assert_eq!(answer.params["text"], texts::BUTTON_STALE.ru, "the used question's buttons are spent");
}

// ---- 4: right reasons ---------------------------------------------------------------------

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(vec![]);
    image::GrayImage::new(width, height).write_to(&mut out, image::ImageFormat::Png).expect("a PNG");
    out.into_inner()
}

#[tokio::test]
async fn a_file_not_an_image_too_large_or_of_a_kind_not_taken_each_gets_its_own_sentence() {
    let env = world().await;
    env.telegram.add_file("text-photo", "photos/text.jpg", b"just some text, not a picture".to_vec());
    env.telegram.add_file("wide-photo", "photos/wide.png", png(9000, 1));
    let cases = [
        (updates::photo(61, ANNA, "text-photo", 29, None, None), texts::FILE_NOT_AN_IMAGE.ru, "photo-text-photo-u.jpg"),
        (
            updates::photo(62, ANNA, "wide-photo", 90, None, None),
            texts::FILE_PICTURE_TOO_LARGE.ru,
            "photo-wide-photo-u.jpg",
        ),
        (
            updates::document(63, ANNA, "big", "логи.zip", "application/zip", 25 << 20, None),
            texts::FILE_TOO_LARGE.ru,
            "логи.zip",
        ),
    ];
    let mut sentences = vec![];
    for (update, template, name) in cases {
        env.deliver(&update).await;
        let (text, keyboard) = last(&env);
        assert_eq!(text, texts::fill(template, &[("name", name)]));
        assert!(keyboard.is_empty(), "the menu stays as it was");
        sentences.push(text.replace(name, ""));
    }
    env.deliver(&updates::sticker(64, ANNA)).await;
    let (text, _) = last(&env);
    assert_eq!(text, texts::fill(texts::UNSUPPORTED.ru, &[("kind", "стикер")]));
    sentences.push(text);
    assert!(env.tickets_of("c1").await.is_empty(), "nothing was taken, nothing made");
    sentences.sort();
    sentences.dedup();
    assert_eq!(sentences.len(), 4, "four reasons, four sentences");
}

// ---- 5: registration ----------------------------------------------------------------------

#[tokio::test]
async fn a_registered_client_sharing_a_colleagues_card_writes_it_into_their_message() {
    let env = world().await;
    open(&env, "Принтер").await;
    env.run_notifier().await;
    env.deliver(&updates::contact(70, ANNA, "79123456790", Some(ANNA + 1))).await;
    assert_eq!(last(&env).0, texts::NEW_OR_ATTACH.ru, "a message like any other: new, or attach to «Принтер»?");
    assert_eq!(env.api("GET", "/contacts/c1", None).await.1["telegram_linked"], true, "still Анна");
}

#[tokio::test]
async fn a_client_of_two_companies_reads_of_company_in_help_and_switches_with_it() {
    let env = world().await;
    assert_eq!(env.api("PUT", "/clients/k2", Some(json!({"name": "АО Лютик", "vip": false}))).await.0, 201);
    let colleague = json!({"name": "Анна Лютикова", "phone": "+7 912 345-67-89", "client_id": "k2"});
    assert_eq!(env.api("PUT", "/contacts/c3", Some(colleague)).await.0, 201);

    env.deliver(&updates::text(80, ANNA, "/help")).await;
    let (help, _) = last(&env);
    assert!(help.contains("/company — выбрать другую компанию"), "{help}");

    let companies = say(&env, 81, "/company").await;
    assert_eq!(last(&env).0, texts::CHOOSE_COMPANY.ru);
    let labels: Vec<&str> = companies.iter().map(|(label, _)| label.as_str()).collect();
    assert_eq!(labels, ["✓ ООО Ромашка", "АО Лютик"]);
    press(&env, 82, &companies[1].1).await;
    assert_eq!(
        last(&env),
        (texts::fill(texts::COMPANY_CHOSEN.ru, &[("client", "АО Лютик")]), NOTHING_ACTIVE.map(str::to_owned).to_vec())
    );
    assert_eq!(env.api("GET", "/contacts/c3", None).await.1["telegram_linked"], true);
    assert_eq!(env.api("GET", "/contacts/c1", None).await.1["telegram_linked"], false);

    env.deliver(&updates::text(83, ANNA, "Нужен пропуск")).await;
    let made = env.tickets_of("c3").await;
    assert_eq!(made.len(), 1, "the next ticket is the new company's");
    assert_eq!(env.ticket(made[0].id).await.ticket.client_id, "k2");
}

// ---- 6: tolerant parsing ------------------------------------------------------------------

const GUIDE_USER: u64 = 1_111_111;

/// The message updates of Telegram's webhook guide ("Testing your bot with updates"), in their
/// shape: no `is_bot`, the first without a chat `type`, files without `file_unique_id`.
fn guide_messages() -> Vec<(&'static str, Value)> {
    let person = json!({"last_name": "Test Lastname", "id": GUIDE_USER, "first_name": "Test Firstname", "username": "Testusername"});
    let chat = json!({"last_name": "Test Lastname", "id": GUIDE_USER, "type": "private", "first_name": "Test Firstname", "username": "Testusername"});
    let message = |extra: Value| {
        let mut message = json!({"date": 1_441_645_532, "chat": chat, "message_id": 1365, "from": person});
        message.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json!({"update_id": 10000, "message": message})
    };
    let file = json!({"file_id": "AwADBAADbXXXXXXXXXXXGBdhD2l6_XX", "mime_type": "audio/mpeg", "file_size": 3_897_500});
    vec![
        (
            "message with text",
            json!({"update_id": 10000, "message": {
            "date": 1_441_645_532,
            "chat": {"last_name": "Test Lastname", "id": GUIDE_USER, "first_name": "Test", "username": "Test"},
            "message_id": 1365,
            "from": {"last_name": "Test Lastname", "id": GUIDE_USER, "first_name": "Test", "username": "Test"},
            "text": "/start"}}),
        ),
        (
            "forwarded message",
            message(
                json!({"forward_from": {"last_name": "Forward Lastname", "id": 222_222, "first_name": "Forward Firstname"}, "forward_date": 1_441_645_550, "text": "/start"}),
            ),
        ),
        (
            "forwarded channel message",
            message(
                json!({"forward_from": {"id": -10_000_000_000i64, "type": "channel", "title": "Test channel"}, "forward_date": 1_441_645_550, "text": "/start"}),
            ),
        ),
        (
            "message with a reply",
            message(
                json!({"text": "/start", "reply_to_message": {"date": 1_441_645_000, "chat": {"last_name": "Reply Lastname", "type": "private", "id": 1_111_112, "first_name": "Reply Firstname", "username": "Testusername"}, "message_id": 1334, "text": "Original"}}),
            ),
        ),
        (
            "message with entities",
            message(
                json!({"text": "Bold and italics", "entities": [{"type": "italic", "offset": 9, "length": 7}, {"type": "bold", "offset": 0, "length": 4}]}),
            ),
        ),
        (
            "message with audio",
            message(
                json!({"audio": {"file_id": file["file_id"], "duration": 243, "mime_type": "audio/mpeg", "file_size": 3_897_500, "title": "Test music file"}}),
            ),
        ),
        (
            "voice message",
            message(
                json!({"voice": {"file_id": file["file_id"], "duration": 5, "mime_type": "audio/ogg", "file_size": 23000}}),
            ),
        ),
        (
            "message with a document",
            message(
                json!({"document": {"file_id": file["file_id"], "file_name": "Testfile.pdf", "mime_type": "application/pdf", "file_size": 536_392}}),
            ),
        ),
    ]
}

/// The guide's updates the bot does not act on: an edit, inline mode.
fn guide_others() -> Vec<Value> {
    let person = json!({"last_name": "Test Lastname", "type": "private", "id": GUIDE_USER, "first_name": "Test Firstname", "username": "Testusername"});
    vec![
        json!({"update_id": 10000, "edited_message": {"date": 1_441_645_532, "chat": {"last_name": "Test Lastname", "type": "private", "id": GUIDE_USER, "first_name": "Test Firstname", "username": "Testusername"}, "message_id": 1365, "from": person, "text": "Edited text", "edit_date": 1_441_646_600}}),
        json!({"update_id": 10000, "inline_query": {"id": 134_567_890_097u64, "from": person, "query": "inline query", "offset": ""}}),
        json!({"update_id": 10000, "chosen_inline_result": {"result_id": "12", "from": person, "query": "inline query", "inline_message_id": "1234csdbsk4839"}}),
    ]
}

fn guide_press() -> Value {
    json!({"update_id": 10000, "callback_query": {"id": "4382bfdwdsb323b2d9",
        "from": {"last_name": "Test Lastname", "type": "private", "id": GUIDE_USER, "first_name": "Test Firstname", "username": "Testusername"},
        "data": "Data from button callback", "inline_message_id": "1234csdbsk4839"}})
}

fn asks_for_the_phone(call: &Call) -> bool {
    call.text() == Some(texts::REGISTER_PROMPT.ru) && call.reply_keyboard() == [texts::BTN_SHARE_PHONE.ru]
}

#[tokio::test]
async fn the_webhook_guides_sample_updates_answer_as_a_real_start_would() {
    let env = TestEnv::new().await;
    for (name, update) in guide_messages() {
        env.telegram.clear();
        assert_eq!(env.deliver(&update).await.status, 200, "{name}");
        let said = env.telegram.messages_to(GUIDE_USER as i64);
        assert!(said.len() == 1 && asks_for_the_phone(&said[0]), "{name}: {said:?}");
    }
    env.telegram.clear();
    env.deliver(&guide_press()).await;
    let calls = env.telegram.calls();
    assert_eq!(calls[0].method, "answerCallbackQuery", "the press is answered");
    assert_eq!(calls[0].params["callback_query_id"], "4382bfdwdsb323b2d9");
    assert!(asks_for_the_phone(&calls[1]));
    for update in guide_others() {
        env.telegram.clear();
        let reply = env.deliver(&update).await;
        assert_eq!((reply.status, reply.body), (200, None), "{update}");
        assert!(env.telegram.calls().is_empty(), "{update}");
    }

    // Registered, the guide's /start shows the menu as a real /start does.
    let card = json!({"name": "Test Firstname", "phone": "+7 912 000-11-22", "client_id": "k1"});
    assert_eq!(env.api("PUT", "/clients/k1", Some(json!({"name": "ООО Ромашка", "vip": false}))).await.0, 201);
    assert_eq!(env.api("PUT", "/contacts/c9", Some(card)).await.0, 201);
    env.deliver(&updates::contact(1, GUIDE_USER, "79120001122", Some(GUIDE_USER))).await;
    env.telegram.clear();
    env.deliver(&guide_messages()[0].1).await;
    let said = env.telegram.messages_to(GUIDE_USER as i64);
    assert_eq!(said.len(), 1);
    assert_eq!(said[0].text(), Some(texts::MENU_PROMPT.ru));
    assert_eq!(said[0].reply_keyboard(), NOTHING_ACTIVE);
}

#[tokio::test]
async fn an_update_without_its_sender_or_chat_is_answered_200_and_ignored() {
    let env = world().await;
    for update in [
        json!({"update_id": 90, "message": {"message_id": 1, "date": 1, "chat": {"id": ANNA, "type": "private"}, "text": "кто я?"}}),
        json!({"update_id": 91, "message": {"message_id": 1, "date": 1, "from": {"id": ANNA}, "text": "где я?"}}),
        json!({"update_id": 92, "message": {"message_id": 1, "date": 1, "from": {"id": ANNA}, "chat": {"id": ANNA}, "pinned_message": {"message_id": 1}}}),
        json!({"update_id": 93, "callback_query": {"from": {"id": ANNA}, "data": "st:1"}}),
    ] {
        let reply = env.deliver(&update).await;
        assert_eq!((reply.status, reply.body), (200, None), "{update}");
    }
    assert!(env.telegram.calls().is_empty());
    assert!(env.tickets_of("c1").await.is_empty());
}

// ---- The simulator (`make run`) -----------------------------------------------------------

#[tokio::test]
async fn the_simulator_draws_the_keyboard_change_when_staff_change_a_ticket() {
    let env = TestEnv::new().await;
    assert!(e2e::seed_demo_directory(&env.api).await.unwrap());
    let mut sim = Simulator::default();
    let mut shown = 0;
    let mut drawn = |sim: &mut Simulator| {
        let calls = env.telegram.calls();
        let out: String = calls[shown..].iter().filter_map(|call| sim.render(call)).collect();
        shown = calls.len();
        out
    };
    for line in ["/start", &format!("/contact {}", e2e::DEMO_PHONE)] {
        let update = sim.update_for(line, &env.telegram).unwrap();
        env.deliver(&update).await;
    }
    let registered = drawn(&mut sim);
    assert!(registered.contains(&format!("[ 2 ] {}", texts::BTN_CALL_ME.ru)), "{registered}");

    let body = json!({"contact_id": "demo-anna", "subject": "Письмо: не работает почта", "source": "email"});
    let (status, ticket) = env.api("POST", "/tickets", Some(body)).await;
    assert_eq!(status, 201);
    env.run_notifier().await;
    let opened = drawn(&mut sim);
    assert!(
        opened.contains(&format!(
            "⌨️ the keyboard changed:\n   [ 1 ] {}\n   [ 2 ] {}",
            texts::BTN_NEW_TICKET.ru,
            texts::BTN_STATUS.ru
        )),
        "{opened}"
    );

    let id = ticket["id"].as_u64().unwrap();
    set_status(&env, id, "done").await;
    env.run_notifier().await;
    let done = drawn(&mut sim);
    assert!(
        done.contains("⌨️ the keyboard changed:") && done.contains(&format!("[ 3 ] {}", texts::BTN_QUESTION_DONE.ru)),
        "{done}"
    );
    // The request to rate follows with its five score buttons, drawn before the menu: the menu
    // drawn last is the one pressed, 8 is 🧐 now.
    assert!(done.contains(&format!("[ 8 ] {}", texts::BTN_QUESTION_DONE.ru)), "{done}");
    let update = sim.update_for("8", &env.telegram).unwrap();
    assert_eq!(update["message"]["text"], texts::BTN_QUESTION_DONE.ru);
}

/// What the menu costs the notifier: one `Query` (the contact's tickets) per notice to a client.
/// A status change told to a client, alone in its batch: the contact and the client (who hears
/// what) in one batch read, the sent marker and the contact's reachability in another, the
/// menu's query; then one write: the sent marker, any kept copy forgotten, and which ticket the
/// message is about remembered (a reply to it comments on the ticket).
#[tokio::test]
async fn a_clients_menu_costs_the_notifier_one_query_a_notice() {
    let env = world().await;
    let id = open(&env, "Принтер").await;
    env.run_notifier().await;
    set_status(&env, id, "in_progress").await;
    let batch = env.stream_batch().await;
    let requests = e2e::RequestCounter::default();
    let counted = e2e::Function::Notifier.dynamodb().config().to_builder().interceptor(requests.clone()).build();
    let messenger =
        shared::telegram::TelegramMessenger::with_timeouts(&env.telegram.url, e2e::BOT_TOKEN, e2e::TEST_TIMEOUTS)
            .expect("a client");
    let notifier = notifier::Notifier::with_messenger(
        &env.notifier_config,
        aws_sdk_dynamodb::Client::from_conf(counted),
        messenger,
    );
    let (failed, _) = env.notify_with(&notifier, batch, std::time::Duration::from_secs(60)).await;
    assert!(failed.is_empty());
    assert_eq!(last(&env).1, ACTIVE);
    println!("a status change told to a client: {} DynamoDB requests", requests.get());
    assert_eq!(requests.get(), 1 + 1 + 1 + 1, "who hears what, what is owed, the menu, the delivery");
}
