import assert from "node:assert/strict";
import { describeHolder, galeraState, type LockRow, nonPrimaryRefusal, watch } from "./galera.ts";

const SYNCED = {
  wsrep_ready: "ON",
  wsrep_cluster_status: "Primary",
  wsrep_cluster_size: "3",
  wsrep_local_state_comment: "Synced",
};

Deno.test("galera: no wsrep_on (MySQL) or OFF (MariaDB without a provider) is no Galera", () => {
  assert.equal(galeraState({}, {}), undefined);
  assert.equal(galeraState({ wsrep_on: "OFF" }, SYNCED), undefined);
});

Deno.test("galera: a synced node of the primary component is accepted", () => {
  const g = galeraState({ Wsrep_On: "ON", wsrep_node_name: "db2" }, SYNCED)!;
  assert.deepEqual(g, {
    on: true,
    ready: true,
    clusterStatus: "Primary",
    clusterSize: 3,
    localState: "Synced",
    nodeName: "db2",
    osuMethod: "TOI",
  });
  assert.equal(galeraState({ wsrep_on: "ON", wsrep_OSU_method: "rsu" }, SYNCED)!.osuMethod, "RSU");
  assert.equal(nonPrimaryRefusal("mysql://u@h:3306/d", g), undefined);
  // A donor is still in the primary component and applies writes.
  const donor = galeraState({ wsrep_on: "ON" }, {
    ...SYNCED,
    wsrep_local_state_comment: "Donor/Desynced",
  })!;
  assert.equal(nonPrimaryRefusal("x", donor), undefined);
});

Deno.test("galera: not ready or not primary is refused in one line", () => {
  const split = galeraState({ wsrep_on: "ON", wsrep_node_name: "db3" }, {
    wsrep_ready: "OFF",
    wsrep_cluster_status: "non-Primary",
    wsrep_cluster_size: "1",
    wsrep_local_state_comment: "Initialized",
  })!;
  assert.equal(
    nonPrimaryRefusal("mysql://u@h:3306/d", split),
    "mysql://u@h:3306/d is a Galera node (db3) outside the primary component " +
      "(wsrep_cluster_status=non-Primary, wsrep_ready=OFF, state Initialized, cluster size 1): " +
      "refusing to run, nothing was written; connect through a node of the primary component",
  );
  // Ready but not primary (or the reverse) is refused as well.
  const odd = galeraState({ wsrep_on: "ON" }, { ...SYNCED, wsrep_cluster_status: "Disconnected" })!;
  assert.match(nonPrimaryRefusal("x", odd)!, /^x is a Galera node outside the primary component/);
  const notReady = galeraState({ wsrep_on: "1" }, { ...SYNCED, wsrep_ready: "OFF" })!;
  assert.ok(nonPrimaryRefusal("x", notReady));
});

const ROW: LockRow = {
  token: "t1",
  beat: 4,
  leaseMs: 30_000,
  connectionId: 12,
  user: "nova@%",
  host: "ctl1",
  node: "db1",
  since: "2026-01-01T00:00:00.000Z",
};

Deno.test("galera: the holder is named with its node and lease", () => {
  assert.equal(
    describeHolder(ROW),
    "connection id 12 of nova@% from ctl1 on node db1, since 2026-01-01T00:00:00.000Z, lease 30s",
  );
});

Deno.test("galera: a lease expires only after a whole lease without a beat, by the waiter's clock", () => {
  let w = watch(undefined, ROW, 1000);
  assert.equal(w.expired, false);
  w = watch(w.sighting, ROW, 1000 + 29_999);
  assert.equal(w.expired, false);
  // A beat restarts the clock.
  const beat = watch(w.sighting, { ...ROW, beat: 5 }, 1000 + 29_999);
  assert.equal(beat.expired, false);
  assert.equal(watch(beat.sighting, { ...ROW, beat: 5 }, 1000 + 59_998).expired, false);
  assert.equal(watch(beat.sighting, { ...ROW, beat: 5 }, 1000 + 59_999).expired, true);
  // So does a new holder, even at the same beat.
  const other = watch(w.sighting, { ...ROW, token: "t2" }, 1000 + 40_000);
  assert.equal(other.expired, false);
  assert.equal(other.sighting.at, 41_000);
  // The holder's stated lease decides, not the waiter's.
  assert.equal(watch(w.sighting, { ...ROW, leaseMs: 2000 }, 3000).expired, true);
  // A stall of the waiter's own write restarts the clock: the holder could not renew either.
  const stall = watch(beat.sighting, { ...ROW, beat: 5 }, 1000 + 59_999, true);
  assert.equal(stall.expired, false);
  assert.equal(stall.sighting.at, 60_999);
  assert.equal(watch(stall.sighting, { ...ROW, beat: 5 }, 60_999 + 29_999).expired, false);
  assert.equal(watch(stall.sighting, { ...ROW, beat: 5 }, 60_999 + 30_000).expired, true);
});
