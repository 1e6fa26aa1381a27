//! Staff answer from Telegram, end to end (the webhook, the staff API, the TicketsTable stream
//! and the notifier against DynamoDB Local, moto's S3 and the fake Telegram): an employee's
//! Telegram reply to a notice about a ticket is a staff comment as them, which the client hears
//! of like one made through the API; a reply starting with `!` is an internal note the client
//! never hears of; a reply the bot cannot place changes nothing.

use e2e::fake_telegram::Call;
use e2e::{updates, TestEnv};
use serde_json::{json, Value};
use shared::domain::AuthorKind;
use shared::texts;

const ANNA: u64 = 5001; // contact c1 of k1 «ООО Ромашка», whose manager is e1
const BORIS: u64 = 5002; // contact c2 of k1
const PETR: u64 = 7002; // employee e2, the assignee
const IVAN: u64 = 7001; // employee e1, k1's manager

/// Анна, Борис and Пётр registered; a ticket of Анна's assigned to Пётр; Анна answered its
/// notice, and Пётр got the notice of her comment. Returns the ticket and that notice.
async fn world() -> (TestEnv, u64, Call) {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    for (path, body) in [
        ("/contacts/c2", json!({"name": "Борис", "phone": "+7 912 345-67-90", "client_id": "k1"})),
        ("/employees/e2", json!({"name": "Пётр Инженеров", "phone": "+7 999 111-22-44"})),
    ] {
        let (status, answer) = env.api("PUT", path, Some(body)).await;
        assert!(status == 200 || status == 201, "PUT {path}: {answer}");
    }
    env.deliver(&updates::contact(2, BORIS, "79123456790", Some(BORIS))).await;
    env.deliver(&updates::contact(3, PETR, "79991112244", Some(PETR))).await;
    let body = json!({"contact_id": "c1", "subject": "Принтер не печатает", "source": "email", "assignee_id": "e2"});
    let (status, ticket) = env.api("POST", "/tickets", Some(body)).await;
    assert_eq!(status, 201, "{ticket}");
    let id = ticket["id"].as_u64().unwrap();
    env.run_notifier().await;
    let notice = env.telegram.messages_to(ANNA as i64).pop().expect("the creation notice");
    reply(&env, 10, ANNA, "Бумага застряла", &notice).await;
    env.run_notifier().await;
    let to_petr = env.telegram.messages_to(PETR as i64).pop().expect("the notice of Анна's comment");
    assert!(to_petr.text().unwrap().contains("Бумага застряла"), "{:?}", to_petr.text());
    env.telegram.clear();
    (env, id, to_petr)
}

/// A message as a Telegram client quotes it: its text without the HTML markup it was sent with.
fn plain(call: &Call) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in call.text().unwrap_or_default().chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// `user` replies `text` to the bot's message `to`; the bot's last answer to them.
async fn reply(env: &TestEnv, update_id: u64, user: u64, text: &str, to: &Call) -> String {
    let to_message = to.message_id.expect("a message the bot made");
    env.deliver(&updates::reply(update_id, user, text, to_message, &plain(to))).await;
    last(env, user)
}

fn last(env: &TestEnv, user: u64) -> String {
    let message = env.telegram.messages_to(user as i64).pop().expect("an answer");
    message.text().unwrap_or_default().to_owned()
}

fn filled(template: &str, id: u64) -> String {
    texts::fill(template, &[("id", &id.to_string())])
}

/// The ticket's comments as `GET /tickets/{id}` shows them.
async fn comments(env: &TestEnv, id: u64) -> Vec<Value> {
    let (status, ticket) = env.api("GET", &format!("/tickets/{id}"), None).await;
    assert_eq!(status, 200, "{ticket}");
    ticket["comments"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_staff_reply_reaches_the_client_as_the_employees_comment() {
    let (env, id, to_petr) = world().await;

    env.webhook_requests.reset();
    let said = reply(&env, 100, PETR, "Выезжаю к вам в 15:00", &to_petr).await;
    let cost = env.webhook_requests.get();
    assert_eq!(said, filled(texts::STAFF_COMMENT_ADDED.ru, id));
    println!("a staff reply-comment: {cost} DynamoDB requests");
    assert_eq!(cost, 4, "the user, which ticket the notice is about, the ticket, one transaction");

    let comments = comments(&env, id).await;
    let staff = comments.last().unwrap();
    assert_eq!(staff["author"], json!({"kind": "employee", "id": "e2", "name": "Пётр Инженеров"}));
    assert_eq!((staff["text"].as_str(), staff["internal"].as_bool()), (Some("Выезжаю к вам в 15:00"), Some(false)));

    // The notifier tells Анна as it tells of a comment made through the staff API.
    env.run_notifier().await;
    let to_anna = env.telegram.messages_to(ANNA as i64);
    assert_eq!(to_anna.len(), 1, "one notice: {to_anna:?}");
    let expected =
        texts::fill(texts::NOTICE_COMMENT.ru, &[("author", "Пётр Инженеров"), ("text", "Выезжаю к вам в 15:00")]);
    assert!(to_anna[0].text().unwrap().contains(&expected), "{:?}", to_anna[0].text());
    let notices_to_petr = env.telegram.messages_to(PETR as i64).into_iter().filter(|m| !m.from_webhook_response);
    assert_eq!(notices_to_petr.count(), 0, "the employee is not told of their own comment");

    // Анна answers that notice in turn: the conversation goes on in Telegram.
    assert_eq!(reply(&env, 101, ANNA, "Жду", &to_anna[0]).await, filled(texts::COMMENT_ADDED.ru, id));
    env.run_notifier().await;
    assert!(last(&env, PETR).contains("Жду"));
}

#[tokio::test]
async fn a_bang_reply_is_an_internal_note_the_client_never_hears_of() {
    let (env, id, to_petr) = world().await;

    let said = reply(&env, 100, PETR, "!  клиент путает модели принтеров", &to_petr).await;
    assert_eq!(said, filled(texts::STAFF_NOTE_ADDED.ru, id));
    let note = comments(&env, id).await.pop().unwrap();
    assert_eq!(note["author"]["kind"], "employee");
    assert_eq!(note["author"]["id"], "e2");
    assert_eq!(note["internal"], true);
    assert_eq!(note["text"], "клиент путает модели принтеров", "the «!» is not stored");

    env.run_notifier().await;
    assert!(env.telegram.messages_to(ANNA as i64).is_empty(), "nothing of a note reaches the client");
}

#[tokio::test]
async fn a_staff_reply_with_a_photo_attaches_it_to_the_comment() {
    let (env, id, to_petr) = world().await;
    let jpeg = e2e::jpeg_bytes();
    env.telegram.add_file("sph", "photos/sph.jpg", jpeg.clone());
    let mut update = updates::photo(100, PETR, "sph", jpeg.len() as u64, Some("Вот как заправлять бумагу"), None);
    update["message"]["reply_to_message"] = json!({
        "message_id": to_petr.message_id.unwrap(),
        "date": 1_764_000_000,
        "chat": {"id": PETR, "type": "private"},
        "from": {"id": 1, "is_bot": true, "first_name": "Service desk bot"},
        "text": plain(&to_petr),
    });
    env.deliver(&update).await;
    assert_eq!(last(&env, PETR), filled(texts::STAFF_COMMENT_ADDED.ru, id));

    let details = env.ticket(id).await;
    let comment = details.comments.last().unwrap();
    assert_eq!((comment.author_kind, comment.text.as_str()), (AuthorKind::Employee, "Вот как заправлять бумагу"));
    let photo = details.attachments.iter().find(|a| a.comment_id.as_deref() == Some(&comment.id)).expect("the photo");
    assert_eq!(photo.content_type, "image/jpeg");
    assert_eq!(env.files().get(&photo.key).await.unwrap(), jpeg, "stored as it came");
    env.run_notifier().await;
    assert!(last(&env, ANNA).contains("Вот как заправлять бумагу"));
}

#[tokio::test]
async fn replies_the_mapping_does_not_place_change_nothing() {
    let (env, id, to_petr) = world().await;
    let before = comments(&env, id).await;
    // Анна's own notice: its id is remembered for her chat, not for Пётр's.
    let (status, _) = env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"status": "in_progress"}))).await;
    assert_eq!(status, 200);
    env.run_notifier().await;
    let annas = env.telegram.messages_to(ANNA as i64).pop().unwrap();

    env.webhook_requests.reset();
    assert_eq!(reply(&env, 100, PETR, "Чужое сообщение", &annas).await, texts::STAFF_REPLY_NOT_ATTACHED.ru);
    assert_eq!(env.webhook_requests.get(), 2, "the user, the mapping: nothing written");
    // A message that is no reply gets what the bot is for staff, as before.
    env.deliver(&updates::text(101, PETR, "Привет")).await;
    assert_eq!(last(&env, PETR), texts::EMPLOYEE_INFO.ru);

    // Борис (a client) forges a reply to Пётр's notice: an ordinary message of his.
    env.deliver(&updates::reply(102, BORIS, "Подделка", to_petr.message_id.unwrap(), &plain(&to_petr))).await;
    assert_eq!(comments(&env, id).await, before, "Анна's ticket is untouched");
    let boris = env.tickets_of("c2").await;
    assert_eq!(boris.len(), 1, "Борис's message made his own ticket");
    assert_eq!(boris[0].subject, "Подделка");
}

#[tokio::test]
async fn a_redelivered_staff_reply_makes_one_comment_and_one_notice() {
    let (env, id, to_petr) = world().await;
    let before = comments(&env, id).await.len();
    let update = updates::reply(100, PETR, "Заменили ролик", to_petr.message_id.unwrap(), &plain(&to_petr));
    env.deliver(&update).await;
    env.deliver(&update).await;
    let confirmations = env.telegram.texts_to(PETR as i64);
    assert_eq!(confirmations, [filled(texts::STAFF_COMMENT_ADDED.ru, id), filled(texts::STAFF_COMMENT_ADDED.ru, id)]);
    assert_eq!(comments(&env, id).await.len(), before + 1, "one comment");
    env.run_notifier().await;
    assert_eq!(env.telegram.messages_to(ANNA as i64).len(), 1, "one notice to the client");
}

#[tokio::test]
async fn a_reply_to_a_call_back_request_is_answered_as_about_no_ticket() {
    let (env, id, _) = world().await;
    // Иван, k1's manager, links Telegram; Анна asks to be called back.
    env.deliver(&updates::contact(4, IVAN, "79991112233", Some(IVAN))).await;
    env.deliver(&updates::text(100, ANNA, texts::BTN_CALL_ME.ru)).await;
    env.run_notifier().await;
    let call_me = env.telegram.messages_to(IVAN as i64).pop().expect("the call-back request's notice");
    assert!(plain(&call_me).contains("+7 912 345-67-89"), "{:?}", call_me.text());

    assert_eq!(reply(&env, 101, IVAN, "Перезвоню после обеда", &call_me).await, texts::STAFF_REPLY_CALL_ME.ru);
    assert!(comments(&env, id).await.iter().all(|c| c["text"] != "Перезвоню после обеда"));
    env.run_notifier().await;
    assert!(env.telegram.messages_to(ANNA as i64).iter().all(|m| !m.text().unwrap().contains("Перезвоню")));
}

/// A part of Пётр's album replying to `to`.
fn album_part(update_id: u64, to: &Call, file: &str, caption: Option<&str>) -> Value {
    replying(updates::photo(update_id, PETR, file, 700, caption, Some("staff-album")), PETR, to)
}

/// `update` (a message of `from`) as a Telegram reply to `to`, the bot's message in their chat.
fn replying(mut update: Value, from: u64, to: &Call) -> Value {
    update["message"]["reply_to_message"] = json!({
        "message_id": to.message_id.unwrap(),
        "date": 1_764_000_000,
        "chat": {"id": from, "type": "private"},
        "from": {"id": 1, "is_bot": true, "first_name": "Service desk bot"},
        "text": plain(to),
    });
    update
}

#[tokio::test]
async fn a_staff_album_is_one_comment_with_every_photo() {
    let (env, id, to_petr) = world().await;
    for file in ["sa1", "sa2", "sa3"] {
        env.telegram.add_file(file, &format!("photos/{file}.jpg"), e2e::jpeg_bytes());
    }
    env.deliver(&album_part(100, &to_petr, "sa1", Some("Фото после ремонта"))).await;
    env.deliver(&album_part(101, &to_petr, "sa2", None)).await;
    env.deliver(&album_part(102, &to_petr, "sa3", None)).await;
    assert_eq!(env.telegram.texts_to(PETR as i64), [filled(texts::STAFF_COMMENT_ADDED.ru, id)], "confirmed once");

    let details = env.ticket(id).await;
    let comment = details.comments.last().unwrap();
    assert_eq!((comment.text.as_str(), comment.internal), ("Фото после ремонта", false));
    let photos = details.attachments.iter().filter(|a| a.comment_id.as_deref() == Some(&comment.id)).count();
    assert_eq!(photos, 3, "every part's photo joins the comment");
    env.run_notifier().await;
    assert_eq!(env.telegram.messages_to(ANNA as i64).len(), 1, "one notice to the client");
    // Each part reaches her: the first with the comment's notice, the later ones as they came.
    let photos = |env: &TestEnv| env.telegram.files_to(ANNA as i64);
    let sent: Vec<String> = photos(&env).into_iter().map(|(_, file)| file).collect();
    assert_eq!(sent, ["sa1", "sa2", "sa3"]);
    env.run_notifier().await;
    assert_eq!(photos(&env).len(), 3, "no part twice");
}

/// An album without a caption for the client is an internal note: none of its parts reach her.
#[tokio::test]
async fn a_staff_album_without_a_caption_stays_with_the_staff() {
    let (env, id, to_petr) = world().await;
    for file in ["sn1", "sn2"] {
        env.telegram.add_file(file, &format!("photos/{file}.jpg"), e2e::jpeg_bytes());
    }
    env.deliver(&album_part(100, &to_petr, "sn1", None)).await;
    env.deliver(&album_part(101, &to_petr, "sn2", None)).await;
    let details = env.ticket(id).await;
    let note = details.comments.last().unwrap();
    assert!(note.internal, "{note:?}");
    assert_eq!(details.attachments.iter().filter(|a| a.comment_id.as_deref() == Some(&note.id)).count(), 2);
    env.run_notifier().await;
    assert!(env.telegram.messages_to(ANNA as i64).is_empty());
    assert!(env.telegram.files_to(ANNA as i64).is_empty(), "{:?}", env.telegram.files_to(ANNA as i64));
}

/// Анна answers the notice with an album: Пётр sees every photo of it, not only the first.
#[tokio::test]
async fn a_clients_album_reaches_the_engineer_part_by_part() {
    let (env, id, _) = world().await;
    let (status, _) = env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"status": "in_progress"}))).await;
    assert_eq!(status, 200);
    env.run_notifier().await;
    let notice = env.telegram.messages_to(ANNA as i64).pop().expect("the status notice");
    for file in ["ca1", "ca2", "ca3"] {
        env.telegram.add_file(file, &format!("photos/{file}.jpg"), e2e::jpeg_bytes());
    }
    for (update_id, file, caption) in [(130, "ca1", Some("Вот фото")), (131, "ca2", None), (132, "ca3", None)] {
        let part = updates::photo(update_id, ANNA, file, 700, caption, Some("client-album"));
        env.deliver(&replying(part, ANNA, &notice)).await;
    }
    env.run_notifier().await;
    assert!(env.telegram.texts_to(PETR as i64).iter().any(|t| t.contains("Вот фото")));
    let sent: Vec<String> = env.telegram.files_to(PETR as i64).into_iter().map(|(_, file)| file).collect();
    assert_eq!(sent, ["ca1", "ca2", "ca3"]);
}

/// `from`'s photo `file` as a Telegram reply to `to` (the bot's message in their chat).
fn photo_reply(update_id: u64, from: u64, to: &Call, file: &str, caption: &str) -> Value {
    replying(updates::photo(update_id, from, file, 700, Some(caption), None), from, to)
}

/// The wiring diagram an engineer answers with reaches the client as the photo itself, sent
/// again by its `file_id` after the comment's notice; the photo of a `!` note never does; and a
/// client's photo reaches the engineer where they already are.
#[tokio::test]
async fn photos_in_comments_reach_the_other_side_as_photos() {
    let (env, id, to_petr) = world().await;
    env.telegram.add_file("diagram", "photos/diagram.jpg", e2e::jpeg_bytes());
    env.telegram.add_file("secret", "photos/secret.jpg", e2e::jpeg_bytes());
    env.deliver(&photo_reply(110, PETR, &to_petr, "diagram", "Схема подключения")).await;
    env.run_notifier().await;
    let to_anna = env.telegram.texts_to(ANNA as i64);
    assert_eq!(to_anna.len(), 1, "the comment's notice: {to_anna:?}");
    assert!(to_anna[0].contains("Схема подключения"), "{to_anna:?}");
    assert_eq!(env.telegram.files_to(ANNA as i64), [("sendPhoto".to_owned(), "diagram".to_owned())]);

    let anna_notice = env.telegram.messages_to(ANNA as i64).pop().expect("the comment's notice");

    env.telegram.clear();
    env.deliver(&photo_reply(111, PETR, &to_petr, "secret", "!Клиент путает этажи")).await;
    env.run_notifier().await;
    assert!(env.ticket(id).await.comments.last().unwrap().internal, "a note");
    assert!(env.telegram.messages_to(ANNA as i64).is_empty() && env.telegram.files_to(ANNA as i64).is_empty());

    // Анна answers the notice with a photo of the jammed printer: Пётр sees it in Telegram.
    env.telegram.add_file("jam", "photos/jam.jpg", e2e::jpeg_bytes());
    env.deliver(&photo_reply(112, ANNA, &anna_notice, "jam", "Вот где застряло")).await;
    env.run_notifier().await;
    assert!(env.telegram.texts_to(PETR as i64).iter().any(|t| t.contains("Вот где застряло")));
    assert_eq!(env.telegram.files_to(PETR as i64), [("sendPhoto".to_owned(), "jam".to_owned())]);
}

/// A file Telegram will not take with a notice (here: a `file_id` it no longer knows) does not
/// stop the comment's notice, and the client is told, once, that the file is in the ticket.
#[tokio::test]
async fn a_file_telegram_refuses_is_named_with_the_ticket_link_instead() {
    let (env, id, to_petr) = world().await;
    env.telegram.add_file("gone", "photos/gone.jpg", e2e::jpeg_bytes());
    env.deliver(&photo_reply(120, PETR, &to_petr, "gone", "Фото щитка")).await;
    env.telegram.forget_file("gone");
    env.run_notifier().await;
    let told = env.telegram.texts_to(ANNA as i64);
    assert_eq!(told.len(), 2, "the comment, then where its file is: {told:?}");
    assert!(told[0].contains("Фото щитка"), "{told:?}");
    assert!(told[1].contains("не удалось отправить") && told[1].contains(&format!("/tickets/{id}")), "{told:?}");
    assert!(env.telegram.files_to(ANNA as i64).is_empty());
    env.run_notifier().await;
    assert_eq!(env.telegram.texts_to(ANNA as i64).len(), 2, "told once");
    assert!(env.kept().await.is_empty(), "nothing kept for a replay that would be refused again");
}
