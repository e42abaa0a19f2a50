"""Logistic regression by mini-batch gradient descent, in plain Python.

Written the way SageMaker training scripts are: hyperparameters as arguments (dashes or
underscores), data from SM_CHANNEL_TRAIN, the model to SM_MODEL_DIR, and a failure
message to the output folder's `failure` file if something goes wrong.
"""

import argparse
import csv
import json
import math
import os
import random
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--learning-rate", "--learning_rate", type=float, default=0.1)
    parser.add_argument("--batch-size", "--batch_size", type=int, default=32)
    parser.add_argument("--train", default=os.environ.get("SM_CHANNEL_TRAIN", "data"))
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "model"))
    return parser.parse_args()


def load(folder):
    rows = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".csv"):
            with open(os.path.join(folder, name)) as handle:
                for row in csv.DictReader(handle):
                    rows.append(([float(row["x1"]), float(row["x2"])], int(row["label"])))
    if not rows:
        raise ValueError(f"no CSV rows under {folder}")
    return rows


def sigmoid(z):
    return 1 / (1 + math.exp(-max(min(z, 30), -30)))


def evaluate(weights, bias, rows):
    loss = correct = 0
    for x, y in rows:
        p = sigmoid(sum(w * v for w, v in zip(weights, x)) + bias)
        loss -= y * math.log(p + 1e-12) + (1 - y) * math.log(1 - p + 1e-12)
        correct += (p >= 0.5) == bool(y)
    return loss / len(rows), correct / len(rows)


def main():
    args = parse_args()
    host = os.environ.get("SM_CURRENT_HOST", "local")
    hosts = json.loads(os.environ.get("SM_HOSTS", '["local"]'))
    rows = load(args.train)
    random.seed(hosts.index(host) if host in hosts else 0)
    print(
        f"{len(rows)} rows; {args.epochs} epochs, lr={args.learning_rate}, batch={args.batch_size}",
        flush=True,
    )
    weights, bias = [0.0, 0.0], 0.0
    for epoch in range(1, args.epochs + 1):
        random.shuffle(rows)
        for start in range(0, len(rows), args.batch_size):
            batch = rows[start : start + args.batch_size]
            grad_w, grad_b = [0.0, 0.0], 0.0
            for x, y in batch:
                error = sigmoid(sum(w * v for w, v in zip(weights, x)) + bias) - y
                grad_w = [g + error * v for g, v in zip(grad_w, x)]
                grad_b += error
            weights = [w - args.learning_rate * g / len(batch) for w, g in zip(weights, grad_w)]
            bias -= args.learning_rate * grad_b / len(batch)
        loss, accuracy = evaluate(weights, bias, rows)
        print(f"epoch {epoch}/{args.epochs} loss={loss:.4f} accuracy={accuracy:.3f}", flush=True)
        time.sleep(0.4)  # a real model takes longer; this keeps the log readable live
    os.makedirs(args.model_dir, exist_ok=True)
    with open(os.path.join(args.model_dir, f"model-{host}.json"), "w") as handle:
        json.dump({"weights": weights, "bias": bias, "accuracy": accuracy}, handle)
    print(f"saved model-{host}.json (accuracy {accuracy:.3f})", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:
        output = os.environ.get("SM_OUTPUT_DIR")
        if output:
            with open(os.path.join(output, "failure"), "w") as handle:
                handle.write(f"{type(exc).__name__}: {exc}")
        print(f"training failed: {exc}", file=sys.stderr)
        sys.exit(1)
