#!/usr/bin/python3
"""Confluent's own Python client (python3-confluent-kafka, legacy Avro API) against saliency-stream.

  produce: InferenceEvents written with Confluent's AvroProducer (value and Avro string key, schema
           registered by Confluent's serializer under <topic>-value / <topic>-key);
  consume: every record of the given topics read with Confluent's deserializer: AvroConsumer when
           keys are Avro strings, a plain Consumer with Confluent's MessageSerializer for values when
           keys are plain strings. Prints one JSON line per record, values as Confluent decoded them
           (timestamps as epoch milliseconds, bytes as base64), for the Java test to compare field by
           field with its own decoding.
"""
import argparse
import base64
import datetime
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, TopicPartition
from confluent_kafka.avro import AvroConsumer, AvroProducer, loads
from confluent_kafka.avro.cached_schema_registry_client import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def plain(value):
    """A decoded Avro value as JSON: datetimes as epoch milliseconds, bytes as base64."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        delta = value - EPOCH
        return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000
    return value


def produce(args):
    schema = loads(open(args.schema).read())
    producer = AvroProducer({"bootstrap.servers": args.bootstrap, "schema.registry.url": args.registry},
                            default_key_schema=loads('"string"'), default_value_schema=schema)
    images = [open(path, "rb").read() for path in args.images]
    start = EPOCH + datetime.timedelta(milliseconds=args.start_millis)
    for i in range(args.count):
        model = args.model if i < args.count - args.unknown else "no-such-model"
        event = {
            "eventId": "py-%d" % i,
            "eventTime": start + datetime.timedelta(milliseconds=i * args.spacing_millis),
            "modelName": model,
            "modelVersion": "v1",
            "input": {"format": "PNG", "data": images[i % len(images)]},
            "topK": [{"classIndex": i % 4, "label": None, "score": 0.75}],
            "groundTruthLabel": args.label,
            "flags": [],
            "regionsOfInterest": [],
            "attributes": {"producer": "confluent-kafka-python"},
        }
        producer.produce(topic=args.topic, key=event["eventId"], value=event)
    producer.flush()
    print("produced %d events with Confluent's AvroProducer" % args.count, file=sys.stderr)


def consume(args):
    config = {"bootstrap.servers": args.bootstrap, "group.id": "confluent-python-%d" % time.time_ns(),
              "auto.offset.reset": "earliest", "enable.auto.commit": False, "isolation.level": "read_committed"}
    if args.key_format == "avro":
        consumer = AvroConsumer(dict(config, **{"schema.registry.url": args.registry}))
        decode_value = None
    else:
        consumer = Consumer(config)
        decode_value = MessageSerializer(CachedSchemaRegistryClient({"url": args.registry})).decode_message
    expected = dict(zip(args.topics, args.expect))
    seen = {topic: 0 for topic in args.topics}
    consumer.subscribe(args.topics)
    deadline = time.time() + args.timeout
    while time.time() < deadline and any(seen[t] < expected[t] for t in args.topics):
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                continue
            raise SystemExit("consumer error: %s" % msg.error())
        key = msg.key()
        value = msg.value()
        if decode_value is not None:
            key = key.decode("utf-8") if key is not None else None
            value = decode_value(value) if value is not None else None
        seen[msg.topic()] += 1
        print(json.dumps({"topic": msg.topic(), "partition": msg.partition(), "offset": msg.offset(),
                          "key": key, "value": plain(value)}, sort_keys=True))
    consumer.close()
    for topic in args.topics:
        print("%-20s %3d records read with Confluent's %s" % (topic, seen[topic],
              "AvroConsumer" if args.key_format == "avro" else "Avro deserializer (MessageSerializer)"),
              file=sys.stderr)
    missing = [t for t in args.topics if seen[t] < expected[t]]
    if missing:
        raise SystemExit("too few records on %s within %d s" % (missing, args.timeout))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("produce")
    p.add_argument("--schema", required=True, help="InferenceEvent schema, self-contained JSON")
    p.add_argument("--topic", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--unknown", type=int, default=1, help="the last N events name an unknown model")
    p.add_argument("--start-millis", type=int, required=True)
    p.add_argument("--spacing-millis", type=int, default=1000)
    p.add_argument("--label", default=None, help="ground-truth label of every event")
    p.add_argument("images", nargs="+")
    c = sub.add_parser("consume")
    c.add_argument("--key-format", choices=["string", "avro"], required=True)
    c.add_argument("--timeout", type=int, default=120)
    c.add_argument("--topics", nargs="+", required=True)
    c.add_argument("--expect", nargs="+", type=int, required=True, help="records to wait for, per topic")
    args = parser.parse_args()
    produce(args) if args.command == "produce" else consume(args)


if __name__ == "__main__":
    main()
