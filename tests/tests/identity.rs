//! Identity follows the directory: a contact's new phone, a deactivated contact, a departed
//! employee. End to end through the staff API and the webhook against the local stack.

use e2e::{updates, TestEnv};
use serde_json::json;
use shared::texts;

const ANNA: u64 = 8001;
const MANAGER: u64 = 8002;

async fn linked(env: &TestEnv, path: &str) -> bool {
    let (status, record) = env.api("GET", path, None).await;
    assert_eq!(status, 200, "{path}: {record}");
    record["telegram_linked"].as_bool().expect("telegram_linked")
}

#[tokio::test]
async fn the_old_account_after_a_phone_change_gets_the_registration_prompt() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    assert!(linked(&env, "/contacts/c1").await);

    let renamed = json!({"name": "Анна Иванова", "phone": "+7 912 345-67-89", "client_id": "k1"});
    assert_eq!(env.api("PUT", "/contacts/c1", Some(renamed)).await.0, 200);
    assert!(linked(&env, "/contacts/c1").await, "a new name keeps the link");

    let moved = json!({"name": "Анна Иванова", "phone": "+7 912 000-00-01", "client_id": "k1"});
    assert_eq!(env.api("PUT", "/contacts/c1", Some(moved)).await.0, 200);
    assert!(!linked(&env, "/contacts/c1").await, "a new phone unlinks the account that proved the old one");
    env.deliver(&updates::start(10, ANNA)).await;
    assert_eq!(env.telegram.texts_to(ANNA as i64).last().unwrap(), texts::REGISTER_PROMPT.ru);

    // Registering again with the new phone links the account again.
    env.deliver(&updates::contact(11, ANNA, "79120000001", Some(ANNA))).await;
    assert!(env.telegram.texts_to(ANNA as i64).last().unwrap().starts_with("Здравствуйте, Анна Иванова!"));
    assert!(linked(&env, "/contacts/c1").await);
}

#[tokio::test]
async fn a_deactivated_contact_is_unlinked_on_both_sides() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    let deactivated =
        serde_json::json!({"name": "Анна", "phone": "+7 912 345-67-89", "client_id": "k1", "active": false});
    let (status, contact) = env.api("PUT", "/contacts/c1", Some(deactivated)).await;
    assert_eq!(
        (status, contact["active"].as_bool(), contact["telegram_linked"].as_bool()),
        (200, Some(false), Some(false))
    );
    env.deliver(&updates::text(10, ANNA, "Принтер")).await;
    assert_eq!(
        env.telegram.texts_to(ANNA as i64).last().unwrap(),
        texts::REGISTER_PROMPT.ru,
        "no ticket for a stranger"
    );
    assert!(env.tickets_of("c1").await.is_empty());
}

#[tokio::test]
async fn a_departed_employee_is_unlinked_hears_nothing_and_cannot_register() {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    // e1 (Иван Петров, +7 999 111-22-33) is the client's manager: linked, they hear call-me requests.
    env.deliver(&updates::contact(20, MANAGER, "79991112233", Some(MANAGER))).await;
    assert!(linked(&env, "/employees/e1").await);

    let departed = serde_json::json!({"name": "Иван Петров", "phone": "+7 999 111-22-33", "active": false});
    let (status, employee) = env.api("PUT", "/employees/e1", Some(departed)).await;
    assert_eq!(status, 200, "{employee}");
    assert_eq!((employee["active"].as_bool(), employee["telegram_linked"].as_bool()), (Some(false), Some(false)));
    env.telegram.clear();

    env.deliver(&updates::text(21, ANNA, texts::BTN_CALL_ME.ru)).await;
    assert_eq!(
        env.telegram.texts_to(ANNA as i64).last().unwrap(),
        texts::CALL_ME_RECORDED.ru,
        "no manager in Telegram to promise the client"
    );
    env.run_notifier().await;
    assert!(env.telegram.texts_to(MANAGER as i64).is_empty(), "the departed manager hears nothing");

    env.deliver(&updates::contact(22, MANAGER, "79991112233", Some(MANAGER))).await;
    let said = env.telegram.texts_to(MANAGER as i64);
    assert!(said.last().unwrap().contains("не найден"), "a departed employee's phone is not a way in: {said:?}");
    assert!(!linked(&env, "/employees/e1").await);

    // Back at work: `"active": true` again, and they can register.
    let back = json!({"name": "Иван Петров", "phone": "+7 999 111-22-33", "active": true});
    assert_eq!(env.api("PUT", "/employees/e1", Some(back)).await.0, 200);
    env.deliver(&updates::contact(23, MANAGER, "79991112233", Some(MANAGER))).await;
    assert!(linked(&env, "/employees/e1").await);
}
