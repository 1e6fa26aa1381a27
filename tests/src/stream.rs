//! Reads a table's DynamoDB stream from DynamoDB Local and hands out Lambda-shaped events, the
//! way the Lambda service's event source mapping feeds the notifier in AWS.

use aws_sdk_dynamodbstreams::types::{AttributeValue, Record, ShardIteratorType};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};

pub struct StreamPoller {
    client: aws_sdk_dynamodbstreams::Client,
    stream_arn: String,
    /// Open iterators by shard id.
    iterators: HashMap<String, String>,
    /// The last sequence number read per shard: an iterator that went stale is renewed after it.
    last_read: HashMap<String, String>,
    /// Shards read to their end.
    finished: HashSet<String>,
    /// Where to start reading shards that existed before the poller.
    initial_position: ShardIteratorType,
    started: bool,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl StreamPoller {
    /// `from_start`: read what the stream already holds (`TRIM_HORIZON`), else only what comes
    /// after now (`LATEST`).
    pub async fn new(stack: &crate::localstack::LocalStack, table: &str, from_start: bool) -> Result<Self, BoxError> {
        let dynamodb = stack.dynamodb();
        let described = dynamodb.describe_table().table_name(table).send().await?;
        let stream_arn = described
            .table
            .and_then(|t| t.latest_stream_arn)
            .ok_or_else(|| format!("table {table} has no stream (see StreamSpecification in template.yaml)"))?;
        let config = aws_sdk_dynamodbstreams::config::Builder::from(&stack.sdk_config())
            .endpoint_url(&stack.dynamodb_url)
            .build();
        let mut poller = StreamPoller {
            client: aws_sdk_dynamodbstreams::Client::from_conf(config),
            stream_arn,
            iterators: HashMap::new(),
            last_read: HashMap::new(),
            finished: HashSet::new(),
            initial_position: if from_start { ShardIteratorType::TrimHorizon } else { ShardIteratorType::Latest },
            started: false,
        };
        poller.discover_shards().await?;
        Ok(poller)
    }

    async fn discover_shards(&mut self) -> Result<(), BoxError> {
        let stream = self.client.describe_stream().stream_arn(&self.stream_arn).send().await?;
        let shards = stream.stream_description.and_then(|d| d.shards).unwrap_or_default();
        for shard in shards {
            let Some(id) = shard.shard_id else { continue };
            if self.iterators.contains_key(&id) || self.finished.contains(&id) {
                continue;
            }
            // Shards that appear after start are read whole.
            let position = if self.started { ShardIteratorType::TrimHorizon } else { self.initial_position.clone() };
            let iterator = self
                .client
                .get_shard_iterator()
                .stream_arn(&self.stream_arn)
                .shard_id(&id)
                .shard_iterator_type(position)
                .send()
                .await?
                .shard_iterator;
            match iterator {
                Some(iterator) => self.iterators.insert(id, iterator),
                None => self.finished.insert(id).then_some(String::new()),
            };
        }
        self.started = true;
        Ok(())
    }

    /// Reads what arrived since the last call, as Lambda `Records` (JSON).
    pub async fn poll(&mut self) -> Result<Vec<Value>, BoxError> {
        self.discover_shards().await?;
        let mut records = vec![];
        let shards: Vec<(String, String)> = self.iterators.drain().collect();
        for (shard, iterator) in shards {
            let output = match self.client.get_records().shard_iterator(iterator).send().await {
                Ok(output) => output,
                Err(error) => {
                    // DynamoDB Local answers TrimmedDataAccess for an iterator taken on a shard
                    // that was empty then; a fresh one after the last record read works.
                    let stale = error
                        .as_service_error()
                        .is_some_and(|e| e.is_trimmed_data_access_exception() || e.is_expired_iterator_exception());
                    if !stale {
                        return Err(error.into());
                    }
                    let renewed = self.renew(&shard).await?;
                    self.iterators.insert(shard, renewed);
                    continue;
                }
            };
            let got = output.records.unwrap_or_default();
            if let Some(sequence) = got.last().and_then(|r| r.dynamodb.as_ref()).and_then(|d| d.sequence_number.clone())
            {
                self.last_read.insert(shard.clone(), sequence);
            }
            records.extend(got.iter().map(|r| lambda_record(r, &self.stream_arn)));
            match output.next_shard_iterator {
                Some(next) => {
                    self.iterators.insert(shard, next);
                }
                None => {
                    self.finished.insert(shard);
                }
            }
        }
        Ok(records)
    }

    async fn renew(&self, shard: &str) -> Result<String, BoxError> {
        let request = self.client.get_shard_iterator().stream_arn(&self.stream_arn).shard_id(shard);
        let request = match self.last_read.get(shard) {
            Some(sequence) => {
                request.shard_iterator_type(ShardIteratorType::AfterSequenceNumber).sequence_number(sequence)
            }
            None => request.shard_iterator_type(ShardIteratorType::TrimHorizon),
        };
        request.send().await?.shard_iterator.ok_or_else(|| "no shard iterator".into())
    }
}

/// A Lambda DynamoDB event (`{"Records": [...]}`) from records.
pub fn lambda_event(records: Vec<Value>) -> Result<aws_lambda_events::dynamodb::Event, serde_json::Error> {
    serde_json::from_value(json!({ "Records": records }))
}

/// One stream record as the Lambda service delivers it.
pub fn lambda_record(record: &Record, stream_arn: &str) -> Value {
    let mut dynamodb = Map::new();
    if let Some(stream) = &record.dynamodb {
        if let Some(at) = stream.approximate_creation_date_time {
            dynamodb.insert("ApproximateCreationDateTime".into(), json!(at.secs()));
        }
        for (name, image) in [("Keys", &stream.keys), ("NewImage", &stream.new_image), ("OldImage", &stream.old_image)]
        {
            if let Some(image) = image {
                dynamodb.insert(name.into(), item_json(image));
            }
        }
        dynamodb.insert("SequenceNumber".into(), json!(stream.sequence_number));
        dynamodb.insert("SizeBytes".into(), json!(stream.size_bytes.unwrap_or(0)));
        dynamodb.insert("StreamViewType".into(), json!(stream.stream_view_type.as_ref().map(|v| v.as_str())));
    }
    json!({
        "eventID": record.event_id,
        "eventName": record.event_name.as_ref().map(|n| n.as_str()),
        "eventVersion": record.event_version.clone().unwrap_or_else(|| "1.1".into()),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.aws_region.clone().unwrap_or_else(|| crate::localstack::REGION.into()),
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    })
}

fn item_json(item: &HashMap<String, AttributeValue>) -> Value {
    Value::Object(item.iter().map(|(k, v)| (k.clone(), attribute_json(v))).collect())
}

fn attribute_json(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null(_) => json!({ "NULL": true }),
        AttributeValue::Ss(v) => json!({ "SS": v }),
        AttributeValue::Ns(v) => json!({ "NS": v }),
        AttributeValue::L(v) => json!({ "L": v.iter().map(attribute_json).collect::<Vec<_>>() }),
        AttributeValue::M(m) => json!({ "M": item_json(m) }),
        AttributeValue::B(b) => json!({ "B": base64(b.as_ref()) }),
        AttributeValue::Bs(v) => json!({ "BS": v.iter().map(|b| base64(b.as_ref())).collect::<Vec<_>>() }),
        _ => Value::Null,
    }
}

fn base64(bytes: &[u8]) -> String {
    aws_smithy_types::base64::encode(bytes)
}
