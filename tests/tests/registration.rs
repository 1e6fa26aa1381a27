//! Registration and the main menu, end to end: updates through the real webhook handler,
//! DynamoDB Local, and the fake Telegram. The directory is set up through the staff API.

use e2e::{updates, TestEnv, SUPPORT_PHONE};
use serde_json::json;
use shared::texts;

const ANNA: u64 = 5001;
const BORIS: u64 = 5002;

async fn put(env: &TestEnv, path: &str, body: serde_json::Value) {
    let (status, answer) = env.api("PUT", path, Some(body)).await;
    assert!(status == 200 || status == 201, "PUT {path}: {status} {answer}");
}

/// Two companies, a contact in each format people write phones in, one phone in both
/// companies, a deactivated contact and an employee.
async fn directory(env: &TestEnv) {
    put(env, "/employees/e1", json!({"name": "Иван Петров", "phone": "+7 (999) 111-22-33"})).await;
    put(env, "/clients/k1", json!({"name": "ООО Ромашка", "manager_id": "e1", "vip": false})).await;
    put(env, "/clients/k2", json!({"name": "АО Лютик", "manager_id": null, "vip": true})).await;
    put(env, "/contacts/c1", json!({"name": "Анна", "phone": "8 (912) 345-67-89", "client_id": "k1"})).await;
    put(env, "/contacts/c2", json!({"name": "Борис", "phone": "+7 912 345 67 90", "client_id": "k1"})).await;
    put(env, "/contacts/c3", json!({"name": "Вера", "phone": "79123456791", "client_id": "k1"})).await;
    put(env, "/contacts/both-1", json!({"name": "Галина", "phone": "+7 912 000-00-07", "client_id": "k1"})).await;
    put(env, "/contacts/both-2", json!({"name": "Галина", "phone": "89120000007", "client_id": "k2"})).await;
    put(
        env,
        "/contacts/gone",
        json!({"name": "Дмитрий", "phone": "+7 912 000-00-09", "client_id": "k2", "active": false}),
    )
    .await;
}

async fn linked(env: &TestEnv, path: &str) -> bool {
    let (status, record) = env.api("GET", path, None).await;
    assert_eq!(status, 200, "{path}: {record}");
    record["telegram_linked"].as_bool().expect("telegram_linked")
}

fn share_button(call: &e2e::fake_telegram::Call) -> bool {
    call.params["reply_markup"]["keyboard"][0][0]["text"] == texts::BTN_SHARE_PHONE.ru
        && call.params["reply_markup"]["keyboard"][0][0]["request_contact"] == true
}

#[tokio::test]
async fn an_unknown_user_gets_the_share_button_whatever_they_send() {
    let env = TestEnv::new().await;
    directory(&env).await;
    for (i, update) in
        [updates::start(1, ANNA), updates::text(2, ANNA, "Принтер не печатает"), updates::sticker(3, ANNA)]
            .iter()
            .enumerate()
    {
        let reply = env.deliver(update).await;
        assert_eq!(reply.status, 200);
        let messages = env.telegram.messages_to(ANNA as i64);
        assert_eq!(messages.len(), i + 1);
        assert_eq!(messages[i].text(), Some(texts::REGISTER_PROMPT.ru));
        assert!(share_button(&messages[i]), "{:?}", messages[i].params);
    }
    assert!(!linked(&env, "/contacts/c1").await);
}

#[tokio::test]
async fn phones_in_any_format_find_their_contact() {
    let env = TestEnv::new().await;
    directory(&env).await;
    // Telegram sends digits with or without "+"; the desk stored them in three other formats.
    let cases = [
        (ANNA, "79123456789", "/contacts/c1", "Анна"),
        (BORIS, "+79123456790", "/contacts/c2", "Борис"),
        (5003, "79123456791", "/contacts/c3", "Вера"),
    ];
    for (n, (user, phone, path, name)) in cases.into_iter().enumerate() {
        env.deliver(&updates::contact(10 + n as u64, user, phone, Some(user))).await;
        let messages = env.telegram.messages_to(user as i64);
        assert_eq!(messages.len(), 1, "{phone}");
        assert_eq!(messages[0].text().unwrap(), texts::fill(texts::WELCOME_CONTACT.ru, &[("name", name)]));
        assert_eq!(messages[0].reply_keyboard(), vec![texts::BTN_NEW_TICKET.ru, texts::BTN_CALL_ME.ru]);
        assert!(linked(&env, path).await, "{path} linked");
    }
}

#[tokio::test]
async fn someone_elses_contact_card_links_nothing() {
    let env = TestEnv::new().await;
    directory(&env).await;
    env.deliver(&updates::contact(1, BORIS, "79123456789", Some(ANNA))).await;
    env.deliver(&updates::contact(2, BORIS, "79123456789", None)).await;
    let texts_seen = env.telegram.texts_to(BORIS as i64);
    assert_eq!(texts_seen, vec![texts::REGISTER_OWN_NUMBER_ONLY.ru, texts::REGISTER_OWN_NUMBER_ONLY.ru]);
    assert!(share_button(&env.telegram.messages_to(BORIS as i64)[0]));
    assert!(!linked(&env, "/contacts/c1").await);
    // Still unregistered: /start asks for the phone again.
    env.deliver(&updates::start(3, BORIS)).await;
    assert_eq!(env.telegram.texts_to(BORIS as i64).last().unwrap(), texts::REGISTER_PROMPT.ru);
}

#[tokio::test]
async fn an_unknown_or_deactivated_number_gets_the_support_phone_and_the_button_again() {
    let env = TestEnv::new().await;
    directory(&env).await;
    env.deliver(&updates::contact(1, ANNA, "79990000000", Some(ANNA))).await;
    env.deliver(&updates::contact(2, ANNA, "79120000009", Some(ANNA))).await; // contact "gone" is inactive
    let messages = env.telegram.messages_to(ANNA as i64);
    assert_eq!(messages.len(), 2);
    // Shown as people read numbers, not as the card's raw digits.
    for (message, phone) in messages.iter().zip(["+7 999 000-00-00", "+7 912 000-00-09"]) {
        assert_eq!(
            message.text().unwrap(),
            texts::fill(texts::PHONE_NOT_FOUND.ru, &[("phone", phone), ("support", SUPPORT_PHONE)])
        );
        assert!(share_button(message));
    }
    assert!(!linked(&env, "/contacts/gone").await);
}

#[tokio::test]
async fn one_phone_in_two_companies_asks_which_and_links_that_one() {
    let env = TestEnv::new().await;
    directory(&env).await;
    env.deliver(&updates::contact(1, ANNA, "+79120000007", Some(ANNA))).await;
    let question = env.telegram.messages_to(ANNA as i64).pop().unwrap();
    assert_eq!(question.text(), Some(texts::CHOOSE_COMPANY.ru));
    let buttons = question.inline_buttons();
    let names: Vec<&str> = buttons.iter().map(|(label, _)| label.as_str()).collect();
    assert_eq!(names, ["ООО Ромашка", "АО Лютик"]);

    // Somebody else pressing the button (a forwarded message) links nothing for them.
    env.deliver(&updates::callback(2, BORIS, &buttons[1].1)).await;
    assert!(!linked(&env, "/contacts/both-2").await);

    env.deliver(&updates::callback(3, ANNA, &buttons[1].1)).await;
    assert!(linked(&env, "/contacts/both-2").await);
    assert!(!linked(&env, "/contacts/both-1").await);
    let answered: Vec<_> = env.telegram.calls().into_iter().filter(|c| c.method == "answerCallbackQuery").collect();
    assert_eq!(answered.len(), 2, "every press is answered");
    let welcome = env.telegram.messages_to(ANNA as i64).pop().unwrap();
    assert_eq!(welcome.text().unwrap(), texts::fill(texts::WELCOME_CONTACT.ru, &[("name", "Галина")]));

    // The same button pressed again later is stale: the press is answered so, and the client,
    // registered now, keeps their menu (no registration keyboard).
    env.deliver(&updates::callback(4, ANNA, &buttons[0].1)).await;
    let answer = env.telegram.calls().into_iter().rfind(|c| c.method == "answerCallbackQuery").unwrap();
    assert_eq!(answer.params["text"], texts::BUTTON_STALE.ru);
    assert_eq!(env.telegram.messages_to(ANNA as i64).last(), Some(&welcome));
    assert!(!linked(&env, "/contacts/both-1").await);
}

#[tokio::test]
async fn an_employee_phone_links_the_employee_for_notifications() {
    let env = TestEnv::new().await;
    directory(&env).await;
    env.deliver(&updates::contact(1, 7001, "79991112233", Some(7001))).await;
    let messages = env.telegram.messages_to(7001);
    assert_eq!(messages[0].text().unwrap(), texts::fill(texts::WELCOME_EMPLOYEE.ru, &[("name", "Иван Петров")]));
    assert_eq!(messages[0].params["reply_markup"]["remove_keyboard"], true);
    assert!(linked(&env, "/employees/e1").await);
    env.deliver(&updates::start(2, 7001)).await;
    assert_eq!(env.telegram.texts_to(7001).last().unwrap(), texts::EMPLOYEE_INFO.ru);
}

#[tokio::test]
async fn a_deactivated_contact_counts_as_unregistered() {
    let env = TestEnv::new().await;
    directory(&env).await;
    env.deliver(&updates::contact(1, ANNA, "79123456789", Some(ANNA))).await;
    assert!(linked(&env, "/contacts/c1").await);
    let deactivated = json!({"name": "Анна", "phone": "8 (912) 345-67-89", "client_id": "k1", "active": false});
    let (status, record) = env.api("PUT", "/contacts/c1", Some(deactivated)).await;
    assert_eq!(status, 200);
    assert_eq!(record["active"], false);
    assert_eq!(record["telegram_linked"], false);
    env.deliver(&updates::start(2, ANNA)).await;
    assert_eq!(env.telegram.texts_to(ANNA as i64).last().unwrap(), texts::REGISTER_PROMPT.ru);
    // And sharing the phone again does not bring the link back.
    env.deliver(&updates::contact(3, ANNA, "79123456789", Some(ANNA))).await;
    assert!(env.telegram.texts_to(ANNA as i64).last().unwrap().contains("не найден"));
}

#[tokio::test]
async fn start_shows_the_menu_that_fits_the_tickets_within_two_requests() {
    let env = TestEnv::new().await;
    directory(&env).await;
    env.deliver(&updates::contact(1, ANNA, "79123456789", Some(ANNA))).await;
    let store = shared::dynamo::DynamoStore::new(
        env.dynamodb.clone(),
        env.config.bot_table.clone(),
        env.config.tickets_table.clone(),
    );
    let menu_after_start = |update_id| {
        let env = &env;
        async move {
            env.webhook_requests.reset();
            env.deliver(&updates::start(update_id, ANNA)).await;
            assert!(env.webhook_requests.get() <= 2, "/start took {} DynamoDB requests", env.webhook_requests.get());
            let last = env.telegram.messages_to(ANNA as i64).pop().unwrap();
            assert_eq!(last.text(), Some(texts::MENU_PROMPT.ru));
            assert!(last.from_webhook_response, "the menu rides in the webhook response");
            last.reply_keyboard()
        }
    };
    assert_eq!(menu_after_start(2).await, vec![texts::BTN_NEW_TICKET.ru, texts::BTN_CALL_ME.ru]);

    e2e::insert_ticket(&store, "c1", shared::domain::TicketStatus::Done).await;
    assert_eq!(
        menu_after_start(3).await,
        vec![texts::BTN_NEW_TICKET.ru, texts::BTN_CALL_ME.ru, texts::BTN_QUESTION_DONE.ru]
    );

    e2e::insert_ticket(&store, "c1", shared::domain::TicketStatus::InProgress).await;
    assert_eq!(
        menu_after_start(4).await,
        vec![texts::BTN_NEW_TICKET.ru, texts::BTN_STATUS.ru, texts::BTN_COMMENT.ru, texts::BTN_CANCEL.ru]
    );
}

#[tokio::test]
async fn a_redelivered_update_is_handled_once() {
    let env = TestEnv::new().await;
    directory(&env).await;
    // Telegram redelivers an update when our answer did not reach it, and carries out the
    // answer of the delivery it does get: the redelivery answers the same welcome, once.
    let share = updates::contact(41, ANNA, "79123456789", Some(ANNA));
    let lost = env.post_webhook(Some(e2e::WEBHOOK_SECRET), serde_json::to_vec(&share).unwrap()).await;
    let redelivered = env.deliver(&share).await;
    assert_eq!(redelivered.body, lost.body, "the welcome the lost answer carried");
    assert_eq!(env.telegram.messages_to(ANNA as i64).len(), 1, "one welcome for two deliveries");

    // Two deliveries of one update at the same moment (two Lambda instances): one commits, and
    // both answer the same welcome, whichever answer Telegram gets.
    let other = updates::contact(42, BORIS, "+79123456790", Some(BORIS));
    let body = serde_json::to_vec(&other).unwrap();
    let (a, b) = tokio::join!(
        env.post_webhook(Some(e2e::WEBHOOK_SECRET), body.clone()),
        env.post_webhook(Some(e2e::WEBHOOK_SECRET), body.clone())
    );
    assert_eq!((a.status, b.status), (200, 200));
    assert_eq!(a.body, b.body, "one welcome for two concurrent deliveries");
    assert!(linked(&env, "/contacts/c2").await);

    // A read-only update whose first answer never reached Telegram (the response was lost):
    // Telegram delivers it again, and the menu is shown once.
    let start = updates::start(43, ANNA);
    let lost = env.post_webhook(Some(e2e::WEBHOOK_SECRET), serde_json::to_vec(&start).unwrap()).await;
    assert_eq!(lost.status, 200);
    env.deliver(&start).await;
    let menus = env.telegram.texts_to(ANNA as i64).into_iter().filter(|t| t == texts::MENU_PROMPT.ru).count();
    assert_eq!(menus, 1);
}

#[tokio::test]
async fn wrong_secrets_and_garbage_are_refused_and_unknown_kinds_ignored() {
    let env = TestEnv::new().await;
    directory(&env).await;
    let body = serde_json::to_vec(&updates::contact(1, ANNA, "79123456789", Some(ANNA))).unwrap();
    env.webhook_requests.reset();
    for secret in [None, Some("wrong"), Some(""), Some("local-webhook-secreT")] {
        let reply = env.post_webhook(secret, body.clone()).await;
        assert_eq!(reply.status, 401, "{secret:?}");
    }
    assert_eq!(env.webhook_requests.get(), 0, "nothing read or written without the secret");
    assert!(env.telegram.calls().is_empty());
    assert!(!linked(&env, "/contacts/c1").await);

    for garbage in [&b"not json"[..], b"{}", b"[]", br#"{"update_id": "x"}"#] {
        let reply = env.post_webhook(Some(e2e::WEBHOOK_SECRET), garbage.to_vec()).await;
        assert_eq!(reply.status, 400, "{}", String::from_utf8_lossy(garbage));
    }
    let unknown = json!({"update_id": 5, "message_reaction": {"chat": {"id": 1, "type": "private"}, "message_id": 1, "date": 1, "old_reaction": [], "new_reaction": []}});
    let future = json!({"update_id": 6, "a_kind_from_the_future": {"x": 1}});
    for update in [unknown, future] {
        let reply = env.post_webhook(Some(e2e::WEBHOOK_SECRET), serde_json::to_vec(&update).unwrap()).await;
        assert_eq!(reply.status, 200);
        assert!(reply.body.is_none());
    }
    assert_eq!(env.webhook_requests.get(), 0, "garbage and unknown kinds cost no DynamoDB request");
    assert!(env.telegram.calls().is_empty());
}
