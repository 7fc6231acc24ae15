#include "model/checker/replication_table.h"

#include <algorithm>
#include <variant>

#include "model/vocabulary/config_keys.h"

namespace kdc {

const std::vector<ReplicationRelease>& replication_releases() {
  static const std::vector<ReplicationRelease> releases = {
      {"0.10", "a follower truncates to its own high watermark when it restarts or follows a new leader",
       "KIP-101 (motivation)"},
      {"0.11", "truncation by leader epoch: one OffsetsForLeaderEpoch round", "KIP-101"},
      {"2.0", "OffsetsForLeaderEpoch repeated until the follower's and leader's epochs agree",
       "KIP-279"},
      {"2.1", "fetches carry the leader epoch; consumers detect truncation", "KIP-320"},
      {"3.6", "the leader advances the HW with fewer than min.insync.replicas in the ISR",
       "KAFKA-15583 (motivation)"},
      {"3.7", "the HW waits until the ISR has min.insync.replicas members", "KAFKA-15583"},
      {"4.0", "KRaft; the last ISR member stays in the ISR when it fails (eligible leader replicas off)",
       "KIP-966 (motivation)"},
      {"4.1", "eligible leader replicas: a replica that left the ISR below min.insync.replicas "
              "can be elected; an unclean restart leaves ISR and ELR",
       "KIP-966"},
  };
  return releases;
}

const std::vector<ReplicationWorkload>& replication_workloads() {
  static const std::vector<ReplicationWorkload> workloads = {
      {"crash", "broker process crashes (page cache survives), at most 2",
       {"fault.broker.crash=2", "fault.broker.power.loss=0", "fault.max.total=2"}},
      {"power-loss", "one broker power loss (unflushed records lost)",
       {"fault.broker.crash=0", "fault.broker.power.loss=1", "fault.max.total=1"}},
  };
  return workloads;
}

std::vector<std::string> replication_cell_settings(const ReplicationRelease& release, int replicas,
                                                   const ReplicationWorkload& workload,
                                                   int max_leader_epoch) {
  std::vector<std::string> s = {
      "kafka.version=" + release.version,
      "replication.factor=" + std::to_string(replicas),
      "min.insync.replicas=" + std::to_string(std::min(2, replicas)),
      "unclean.leader.election.enable=false",
      "acks=1",
      "retries=0",
      "model.messages=2",
      "model.max.leader.epoch=" + std::to_string(max_leader_epoch),
      "fault.request.timeout=0",
      "fault.delivery.timeout=0",
      "fault.producer.crash=0",
      "fault.cluster.power.loss=0",
      "fault.network.partition=0",
      "fault.consumer.crash=0",
      "fault.consumer.rebalance=0",
      "fault.offset.loss=0",
  };
  // From 3.0 idempotence is on by default, and explicit acks=1 with it is an error in
  // 3.0 and 3.1 (KAFKA-13598); the producer is not under test here. The key exists from 0.11.
  if (auto v = parse_kafka_version(release.version); v && *v >= KafkaVersion{0, 11, 0})
    s.push_back("enable.idempotence=false");
  for (const std::string& f : workload.settings) s.push_back(f);
  return s;
}

bool check_replication_cell(const ReplicationRelease& release, int replicas,
                            const ReplicationWorkload& workload, int max_leader_epoch,
                            const CheckOptions& options, ReplicationCell* cell, std::string* error) {
  auto loaded =
      load_config({}, replication_cell_settings(release, replicas, workload, max_leader_epoch));
  if (auto* e = std::get_if<ConfigError>(&loaded)) {
    *error = e->str();
    return false;
  }
  cell->version = release.version;
  cell->replicas = replicas;
  cell->workload = workload.name;
  cell->config = std::get<Config>(loaded);
  cell->result = check(cell->config, options);
  return true;
}

Trace replication_trace(const Config& config, const ReplicationCounterexample& rx) {
  Trace t;
  t.header.config = effective_settings(config);
  t.header.note = std::string("replication safety: ") + name(rx.finding.kind) + " — " + rx.finding.detail;
  t.events = rx.events;
  return t;
}

std::string replication_slug(ReplicationViolation v) {
  std::string s = name(v);
  std::replace(s.begin(), s.end(), ' ', '-');
  return s;
}

std::string replication_verdict(const CheckResult& r, bool markdown) {
  std::string s;
  for (const auto& rx : r.replication) {
    if (!rx) continue;
    s += (s.empty() ? "" : ", ") + std::string(markdown ? "**" : "") + name(rx->finding.kind) +
         (markdown ? "**" : "") + " (" + std::to_string(rx->events.size()) + ")";
  }
  return s.empty() ? "holds" : s;
}

}  // namespace kdc
