// Seeded bugs: switches that break the implementation on purpose, each in the one place
// where a real Kafka bug of that kind would live. They exist to test the tests: the
// conformance suite (conformance/bug_hunt.h) must catch every one of them, with a small
// failing run. All are off by default; `kdc run --bug NAME` turns one on.
//
// Each switch is read at exactly one place in impl/, next to a comment naming the bug
// ("Seeded bug <name>"), so `grep -rn "Seeded bug" impl/` lists them all.
#ifndef KDC_IMPL_CLUSTER_SEEDED_BUGS_H_
#define KDC_IMPL_CLUSTER_SEEDED_BUGS_H_

#include <string>
#include <string_view>
#include <vector>

namespace kdc::impl {

struct SeededBugs {
  // Broker (leader): the high watermark follows the leader's own log end, ignoring the
  // followers' fetch offsets, so acks=all is answered before the ISR has the record.
  bool hw_before_isr = false;
  // Broker (follower, 0.11+): on becoming a follower it truncates to its own high
  // watermark, as before KIP-101, instead of asking the leader for the epoch's end offset.
  bool truncate_to_hw = false;
  // Consumer application: under process-then-commit the offsets are committed when the
  // batch is polled, before it is processed.
  bool commit_before_process = false;
  // Broker (leader): idempotent batches are appended without the duplicate / sequence
  // check of ProducerStateManager.
  bool skip_sequence_check = false;
  // Broker (leader): consumer fetches read up to the log end, past the high watermark.
  bool fetch_past_hw = false;
  // Broker (leader): a batch of an older producer epoch is appended instead of fenced
  // (INVALID_PRODUCER_EPOCH / PRODUCER_FENCED), so a zombie transactional producer writes.
  bool no_epoch_fencing = false;

  bool any() const {
    return hw_before_isr || truncate_to_hw || commit_before_process || skip_sequence_check ||
           fetch_past_hw || no_epoch_fencing;
  }
};

// The switches' names, in declaration order.
inline const std::vector<std::string>& seeded_bug_names() {
  static const std::vector<std::string> names = {
      "hw_before_isr", "truncate_to_hw",   "commit_before_process",
      "skip_sequence_check", "fetch_past_hw", "no_epoch_fencing"};
  return names;
}

// Turns on the bug called `name`; false if there is none.
inline bool enable_seeded_bug(SeededBugs* bugs, std::string_view name) {
  if (name == "hw_before_isr") return bugs->hw_before_isr = true;
  if (name == "truncate_to_hw") return bugs->truncate_to_hw = true;
  if (name == "commit_before_process") return bugs->commit_before_process = true;
  if (name == "skip_sequence_check") return bugs->skip_sequence_check = true;
  if (name == "fetch_past_hw") return bugs->fetch_past_hw = true;
  if (name == "no_epoch_fencing") return bugs->no_epoch_fencing = true;
  return false;
}

// The switches that are on, comma-separated ("" if none).
inline std::string seeded_bugs_text(const SeededBugs& b) {
  std::string s;
  auto add = [&s](bool on, const char* n) {
    if (!on) return;
    if (!s.empty()) s += ",";
    s += n;
  };
  add(b.hw_before_isr, "hw_before_isr");
  add(b.truncate_to_hw, "truncate_to_hw");
  add(b.commit_before_process, "commit_before_process");
  add(b.skip_sequence_check, "skip_sequence_check");
  add(b.fetch_past_hw, "fetch_past_hw");
  add(b.no_epoch_fencing, "no_epoch_fencing");
  return s;
}

}  // namespace kdc::impl

#endif  // KDC_IMPL_CLUSTER_SEEDED_BUGS_H_
