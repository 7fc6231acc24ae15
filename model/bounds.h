// The model's fixed bounds. A State is a fixed-size value, so every collection in it has
// a capacity here. Runs that would exceed a capacity are cut (counted in the checker's
// stats as bound hits), never silently wrapped.
#ifndef KDC_MODEL_BOUNDS_H_
#define KDC_MODEL_BOUNDS_H_

namespace kdc {

inline constexpr int kMaxReplicas = 3;     // brokers = replicas of the one partition
inline constexpr int kMaxMessages = 4;     // distinct application messages per run
inline constexpr int kMaxLog = 8;          // records per replica log
inline constexpr int kMaxBatches = 6;      // accumulator batches, and in-flight requests
inline constexpr int kMaxPolled = kMaxLog;  // records polled but not yet processed
inline constexpr int kMaxGen = 3;          // application re-sends of one message (saturates; 2 bits)
inline constexpr int kMaxRetriesTracked = 3;  // retries above this are "unbounded" (2 bits)
inline constexpr int kMaxLeaderEpoch = 15;
inline constexpr int kMaxProducerId = 7;
inline constexpr int kMaxSeq = 31;

}  // namespace kdc

#endif  // KDC_MODEL_BOUNDS_H_
