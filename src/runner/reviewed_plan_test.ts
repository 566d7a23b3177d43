import assert from "node:assert/strict";
import {
  parseReviewedPlan,
  planDifferences,
  PlanFileError,
  type PlanNow,
  reviewedPlan,
} from "./reviewed_plan.ts";

const sum = (c: string) => c.repeat(64);

const plan = reviewedPlan(
  {
    database: "postgresql://app@db/app",
    dialect: "postgresql",
    direction: "up",
    target: "heads",
    from: ["a"],
    to: ["c"],
    steps: [
      {
        direction: "up",
        revision: "b",
        from: ["a"],
        to: ["b"],
        message: "add b",
        file: "m/b.sql",
        transactional: true,
        statements: 2,
        checksum: sum("1"),
      },
      {
        direction: "up",
        revision: "c",
        from: ["b"],
        to: ["c"],
        message: "add c",
        file: "m/c.sql",
        transactional: false,
        statements: 1,
        checksum: sum("2"),
      },
    ],
  },
  "0.1.0",
  new Date("2026-01-02T03:04:05Z"),
);

const same: PlanNow = {
  database: "postgresql://app@db/app",
  dialect: "postgresql",
  from: ["a"],
  steps: plan.steps.map(({ direction, revision, from, to, checksum }) => ({
    direction,
    revision,
    from,
    to,
    checksum,
  })),
};

Deno.test("a plan file survives JSON and reads back as written", () => {
  const back = parseReviewedPlan(JSON.stringify(plan));
  assert.deepEqual(back, plan);
  assert.equal(back.createdAt, "2026-01-02T03:04:05.000Z");
  assert.deepEqual(planDifferences(back, same), []);
});

Deno.test("a plan file that is not one, or is damaged, is refused naming the field", () => {
  const bad = (text: string, message: RegExp) =>
    assert.throws(
      () => parseReviewedPlan(text),
      (e) => e instanceof PlanFileError && message.test(e.message),
    );
  bad("{", /^not JSON/);
  bad('{"bellows": "0.1.0"}', /^not a plan file/);
  bad(JSON.stringify({ ...plan, formatVersion: 2 }), /format version 2, this bellows reads 1/);
  bad(JSON.stringify({ ...plan, from: "a" }), /field 'from'/);
  const steps = plan.steps.map((s, i) => i === 1 ? { ...s, checksum: "abc" } : s);
  bad(JSON.stringify({ ...plan, steps }), /field 'steps\[1\]\.checksum'/);
  const mixed = plan.steps.map((s, i) => i === 0 ? { ...s, direction: "down" } : s);
  bad(JSON.stringify({ ...plan, steps: mixed }), /field 'steps\[0\]\.direction'/);
});

Deno.test("version rows that moved since the review are named, with the steps they change", () => {
  const now: PlanNow = { ...same, from: ["b"], steps: same.steps.slice(1) };
  assert.deepEqual(planDifferences(plan, now), [
    "the version rows are b, the plan starts at a",
    "step 1 would be upgrade b -> c (c), reviewed upgrade a -> b (b)",
    "step 2 (upgrade b -> c, c) would not run",
  ]);
});

Deno.test("a script changed since the review, or a step added, is named", () => {
  const changed: PlanNow = {
    ...same,
    steps: [
      same.steps[0],
      { ...same.steps[1], checksum: sum("3") },
      { direction: "up", revision: "d", from: ["c"], to: ["d"] },
    ],
  };
  assert.deepEqual(planDifferences(plan, changed), [
    "step 2 (c): m/c.sql changed since the review (sha256 333333333333 now, 222222222222 reviewed)",
    "step 3 (upgrade c -> d, d) was not reviewed",
  ]);
});

Deno.test("another database or dialect is a difference; a plan made without a database is not tied to one", () => {
  assert.deepEqual(
    planDifferences(plan, { ...same, database: "postgresql://app@other/app", dialect: "sqlite" }),
    [
      "the plan is for postgresql, the database is sqlite",
      "the plan was made for postgresql://app@db/app, this is postgresql://app@other/app",
    ],
  );
  assert.deepEqual(
    planDifferences({ ...plan, database: null }, { ...same, database: "sqlite:x.db" }),
    [],
  );
});

Deno.test("row sets compare as sets, and a long list of differences is cut short", () => {
  const branches = { ...plan, from: ["x", "y"], steps: [] };
  assert.deepEqual(planDifferences(branches, { ...same, from: ["y", "x"], steps: [] }), []);
  const many: PlanNow = {
    ...same,
    steps: Array.from({ length: 9 }, (_, i) => ({
      direction: "up" as const,
      revision: `r${i}`,
      from: [],
      to: [],
    })),
  };
  const diffs = planDifferences({ ...plan, steps: [] }, many);
  assert.equal(diffs.length, 7);
  assert.equal(diffs.at(-1), "and 3 more");
});
