// The human table of `make bench`, built from the RESULT lines alone: per
// workload the loop's figure, the raw baseline's, their ratio, and the target
// the issue set (reported, never asserted: a benchmark is not a test).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bench.hpp"

namespace looplab::bench {

namespace {

using Line = Summary::Line;
using Context = std::vector<std::pair<std::string, std::string>>;

struct Row {
    std::string workload, what, loop, raw, ratio, target, verdict;
};

// The two loops a table may show: the reference's lines say "looplab", the
// fast loop's (chapter 14) say "fast".
constexpr const char* reference = "looplab";
constexpr const char* fast = "fast";

// "B1" for the reference, "B1 fast" for the fast loop: the table's first column.
std::string label(const char* workload, const char* impl) {
    return std::string_view(impl) == fast ? std::string(workload) + " fast" : workload;
}

std::string format(const char* pattern, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, pattern, value);
    return buffer;
}

std::string rate(double per_s) {
    if (per_s >= 1e6) return format("%.2f M/s", per_s / 1e6);
    return format("%.0f k/s", per_s / 1e3);
}

std::string verdict(bool met) {
    return met ? "met" : "MISSED";
}

// The first line of (workload, impl) whose fields include every context pair.
const Line* find(const std::vector<Line>& lines, std::string_view workload, std::string_view impl,
                 const Context& context = {}) {
    for (const Line& line : lines) {
        if (line.workload != workload || line.impl != impl) continue;
        bool match = std::all_of(context.begin(), context.end(), [&](const auto& pair) {
            auto it = line.fields.find(pair.first);
            return it != line.fields.end() && it->second == pair.second;
        });
        if (match) return &line;
    }
    return nullptr;
}

std::optional<double> value(const Line* line, const std::string& key) {
    if (line == nullptr) return std::nullopt;
    auto it = line->fields.find(key);
    if (it == line->fields.end()) return std::nullopt;
    return std::strtod(it->second.c_str(), nullptr);
}

// "skipped: <reason>" for a line that says why it has no figure, else "not run".
std::string why_missing(const Line* line) {
    if (line == nullptr) return "not run";
    auto it = line->fields.find("skipped");
    return it == line->fields.end() ? "no figure" : "skipped: " + it->second;
}

// A throughput compared with its raw baseline; met when loop/raw >= min_ratio,
// or (min_ratio 0) when the loop's rate reaches min_rate.
Row rate_row(const std::vector<Line>& lines, const char* workload, const char* impl,
             const char* metric, double min_ratio, double min_rate) {
    Row row{label(workload, impl), metric, "", "-", "-", "", ""};
    auto loop = value(find(lines, workload, impl), metric);
    auto raw = value(find(lines, workload, "raw"), metric);
    if (raw) row.raw = rate(*raw);
    if (loop && raw) row.ratio = format("%.2f", *loop / *raw);
    row.target = min_ratio > 0 ? format(">= %.2f x raw", min_ratio) : ">= " + rate(min_rate);
    if (!loop) {
        row.loop = "-";
        row.verdict = why_missing(find(lines, workload, impl));
        return row;
    }
    row.loop = rate(*loop);
    if (min_ratio > 0 && raw) row.verdict = verdict(*loop / *raw >= min_ratio);
    if (min_ratio == 0) row.verdict = verdict(*loop >= min_rate);
    return row;
}

// One looplab metric against a bound (no raw baseline).
Row bound_row(const std::vector<Line>& lines, const char* workload, const char* impl,
              const std::string& metric, const char* pattern, const std::string& target,
              bool (*ok)(double)) {
    Row row{label(workload, impl), metric, "-", "-", "-", target, ""};
    const Line* line = find(lines, workload, impl);
    auto loop = value(line, metric);
    if (!loop) {
        row.verdict = why_missing(line);
        return row;
    }
    row.loop = format(pattern, *loop);
    row.verdict = verdict(ok(*loop));
    return row;
}

// A figure with no target (the workload list sets none): shown, not judged.
Row reported_row(Row row) {
    row.target = "(no target)";
    if (row.verdict == "met") row.verdict = "";
    return row;
}

// B2's bound on schedule+cancel: 150 ns for the reference, 50 ns for the fast loop.
void add_b2(const std::vector<Line>& lines, const char* impl, std::vector<Row>& rows) {
    bool is_fast = std::string_view(impl) == fast;
    rows.push_back(bound_row(
        lines, "B2", impl, "sched_cancel_ns_per_op", "%.1f ns", is_fast ? "<= 50 ns" : "<= 150 ns",
        is_fast ? +[](double ns) { return ns <= 50; } : +[](double ns) { return ns <= 150; }));
    rows.push_back(bound_row(lines, "B2", impl, "overshoot_ms", "%.3f ms", "< 2 ms",
                             [](double ms) { return ms < 2; }));
    rows.push_back(bound_row(lines, "B2", impl, "fired", "%.0f", "= 100000",
                             [](double n) { return n == 100000; }));
    // The first round pays a page fault per fresh 4 KiB page: shown, not judged.
    Row cold = bound_row(lines, "B2", impl, "cold_ns_per_op", "%.1f ns", "(first round)",
                         [](double) { return true; });
    if (cold.loop != "-") cold.verdict = "info";
    rows.push_back(cold);
}

constexpr const char* b7_selectors[] = {"select", "poll", "epoll"};
constexpr const char* b7_idle[] = {"10", "100", "1000", "10000"};

Row b7_row(const std::vector<Line>& lines, const char* impl, const char* selector,
           const char* idle) {
    Context context{{"selector", selector}, {"idle", idle}};
    Row row{
        label("B7", impl), std::string(selector) + " N=" + idle + " us/rt", "-", "-", "-", "", ""};
    const Line* loop_line = find(lines, "B7", impl, context);
    auto loop = value(loop_line, "us_per_roundtrip");
    auto raw = value(find(lines, "B7", "raw", context), "us_per_roundtrip");
    if (raw) row.raw = format("%.2f us", *raw);
    if (loop) row.loop = format("%.2f us", *loop);
    if (loop && raw) row.ratio = format("%.2f", *loop / *raw);
    bool epoll = std::string_view(selector) == "epoll";
    if (epoll) row.target = "<= 2.00 x raw";
    if (!loop) row.verdict = why_missing(loop_line);
    if (epoll && loop && raw) row.verdict = verdict(*loop / *raw <= 2.0);
    return row;
}

// "Flat in N": the loop's epoll round trip at the largest N within 1.5x of the smallest.
Row b7_flatness(const std::vector<Line>& lines, const char* impl) {
    Row row{label("B7", impl), "epoll N=10000 / N=10", "-", "-", "-", "<= 1.50 (flat)", "not run"};
    auto at = [&](const char* who, const char* idle) {
        return value(find(lines, "B7", who, {{"selector", "epoll"}, {"idle", idle}}),
                     "us_per_roundtrip");
    };
    auto small = at(impl, "10"), large = at(impl, "10000");
    auto raw_small = at("raw", "10"), raw_large = at("raw", "10000");
    if (raw_small && raw_large) row.raw = format("%.2f", *raw_large / *raw_small);
    if (!small || !large) return row;
    row.loop = format("%.2f", *large / *small);
    row.verdict = verdict(*large / *small <= 1.5);
    return row;
}

void add_b7(const std::vector<Line>& lines, const char* impl, std::vector<Row>& rows) {
    for (const char* idle : b7_idle)
        for (const char* selector : b7_selectors)
            rows.push_back(b7_row(lines, impl, selector, idle));
    rows.push_back(b7_flatness(lines, impl));
}

// The speed-up is the blocking client's time (measured once, by the reference
// binary) over this loop's.
void add_b6(const std::vector<Line>& lines, const char* impl, std::vector<Row>& rows) {
    const Line* loop_line = find(lines, "B6", impl);
    auto sync = value(find(lines, "B6", "sync"), "sync_s");
    auto async = value(loop_line, "async_s");
    Row times{label("B6", impl), "sync_s vs async_s", "-", "-", "-", "", ""};
    if (sync) times.raw = format("%.3f s", *sync);
    if (async) times.loop = format("%.3f s", *async);
    if (sync && async) times.ratio = format("%.4f", *async / *sync);
    if (!sync) times.verdict = "sync " + why_missing(find(lines, "B6", "sync"));
    if (!async) times.verdict = why_missing(loop_line);
    rows.push_back(times);
    Row speedup{label("B6", impl), "speedup", "-", "-", "-", ">= x 80", ""};
    if (sync && async) {
        speedup.loop = format("x %.1f", *sync / *async);
        speedup.verdict = verdict(*sync / *async >= 80);
    } else {
        speedup.verdict = why_missing(loop_line);
    }
    rows.push_back(speedup);
}

// Every row of one loop. The targets are issue 17's for the fast loop and the
// earlier issues' for the reference.
void add_loop(const std::vector<Line>& lines, const char* impl, std::vector<Row>& rows) {
    bool is_fast = std::string_view(impl) == fast;
    auto ran = [&](const char* id) { return find(lines, id, impl) != nullptr; };
    if (ran("B1"))
        rows.push_back(rate_row(lines, "B1", impl, "callbacks_per_s", is_fast ? 0.4 : 0.15, 0));
    if (ran("B2")) add_b2(lines, impl, rows);
    if (ran("B7")) add_b7(lines, impl, rows);
    if (ran("B3"))
        rows.push_back(is_fast ? rate_row(lines, "B3", impl, "switches_per_s", 0.10, 0)
                               : rate_row(lines, "B3", impl, "switches_per_s", 0, 7e6));
    if (ran("B4"))
        rows.push_back(rate_row(lines, "B4", impl, "req_per_s", is_fast ? 1.0 : 0.95, 0));
    if (ran("B5")) {
        Row queue = rate_row(lines, "B5", impl, "items_per_s", 0.25, 0);
        rows.push_back(is_fast ? queue : reported_row(queue));
    }
    if (ran("B6")) add_b6(lines, impl, rows);
    if (ran("B8")) rows.push_back(rate_row(lines, "B8", impl, "req_per_s", is_fast ? 0.8 : 0.6, 0));
    if (ran("B9")) {
        rows.push_back(bound_row(lines, "B9", impl, "wall_s", "%.3f s", "<= 1.2 s",
                                 [](double s) { return s <= 1.2; }));
        Row memory = bound_row(lines, "B9", impl, "bytes_per_task", "%.0f B", "<= 256 B",
                               [](double bytes) { return bytes <= 256; });
        rows.push_back(is_fast ? memory : reported_row(memory));
    }
}

// Prints a table whose columns are as wide as their widest cell.
void print_table(std::FILE* out, const std::vector<std::vector<std::string>>& table) {
    std::vector<std::size_t> width(table.front().size());
    for (const auto& cells : table)
        for (std::size_t i = 0; i < cells.size(); ++i)
            width[i] = std::max(width[i], cells[i].size());
    for (const auto& cells : table) {
        std::string line;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            bool text = i < 2 || i + 2 >= cells.size(); // names and verdicts left, figures right
            std::string pad(width[i] - cells[i].size(), ' ');
            line += (text ? cells[i] + pad : pad + cells[i]) + (i + 1 < cells.size() ? "  " : "");
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        std::fprintf(out, "%s\n", line.c_str());
    }
}

void print_rows(std::FILE* out, const std::vector<Row>& rows) {
    std::vector<std::vector<std::string>> table{
        {"id", "figure", "loop", "raw", "loop/raw", "target", "verdict"}};
    for (const Row& r : rows)
        table.push_back({r.workload, r.what, r.loop, r.raw, r.ratio, r.target, r.verdict});
    print_table(out, table);
}

// The reference and the fast loop side by side: a fast row is the reference
// row of the same workload and figure.
void print_side_by_side(std::FILE* out, const std::vector<Row>& reference_rows,
                        const std::vector<Row>& fast_rows) {
    std::vector<std::vector<std::string>> table{{"id", "figure", "reference", "fast", "raw",
                                                 "ref/raw", "fast/raw", "target (fast)",
                                                 "verdict: reference | fast"}};
    for (const Row& ref : reference_rows) {
        auto same = [&](const Row& r) {
            return r.workload == ref.workload + " fast" && r.what == ref.what;
        };
        auto it = std::find_if(fast_rows.begin(), fast_rows.end(), same);
        Row none{"", "", "-", "-", "-", "", "not run"};
        const Row& quick = it == fast_rows.end() ? none : *it;
        table.push_back({ref.workload, ref.what, ref.loop, ref.raw, ref.ratio, quick.ratio,
                         quick.target, ref.verdict + " | " + quick.verdict});
        table.back().insert(table.back().begin() + 3, quick.loop);
    }
    print_table(out, table);
}

// The micro-benchmarks (workload M): one operation's cost, no target.
void print_micro(std::FILE* out, const std::vector<Line>& lines) {
    static const std::pair<const char*, const char*> operations[] = {
        {"function_small", "std::function, 16 bytes: build, move, call"},
        {"function_large", "std::function, 32 bytes: the same, one allocation"},
        {"inline_large", "InlineFunction (chapter 14), 32 bytes: the same"},
        {"shared_ptr_copy", "shared_ptr copy + destroy (two atomic operations)"},
        {"raw_pointer_copy", "plain pointer copy"},
        {"epoll_ctl", "epoll_ctl ADD + DEL (two syscalls)"},
        {"epoll_ctl_mod", "epoll_ctl MOD (one syscall)"},
        {"epoll_wait_0", "epoll_wait, zero timeout, one idle fd"},
        {"coroutine_frame", "coroutine: create, run, destroy its frame"},
    };
    std::vector<std::vector<std::string>> table{{"operation", "what", "ns each"}};
    for (const auto& [name, what] : operations) {
        auto ns = value(find(lines, "M", name), "ns_per_op");
        if (ns) table.push_back({name, what, format("%.1f", *ns)});
    }
    if (table.size() == 1) return;
    std::fprintf(out, "\nmicro-benchmarks: what one operation costs on this machine\n\n");
    print_table(out, table);
}

// One bar of the chart: `width` cells, filled in proportion to value / most.
std::string bar(double value, double most, int width) {
    int filled = most > 0 ? static_cast<int>(value / most * width + 0.5) : 0;
    filled = std::clamp(filled, 0, width);
    std::string out;
    for (int i = 0; i < width; ++i)
        out += i < filled ? "#" : ".";
    return out;
}

// The chart of one throughput: reference, fast and raw as bars, scaled to the
// largest of the three.
void print_chart_of(std::FILE* out, const std::vector<Line>& lines, const char* workload,
                    const char* title, const char* metric) {
    const std::pair<const char*, const char*> loops[] = {
        {"reference", reference}, {"fast", fast}, {"raw", "raw"}};
    double most = 0;
    for (const auto& [label_text, impl] : loops)
        most = std::max(most, value(find(lines, workload, impl), metric).value_or(0));
    if (most == 0) return;
    auto raw = value(find(lines, workload, "raw"), metric);
    std::fprintf(out, "\n%s %s\n", workload, title);
    for (const auto& [label_text, impl] : loops) {
        auto figure = value(find(lines, workload, impl), metric);
        if (!figure) {
            std::fprintf(out, "  %-9s  %s\n", label_text,
                         why_missing(find(lines, workload, impl)).c_str());
            continue;
        }
        std::string ratio =
            raw && impl != std::string_view("raw") ? format("  %.2f x raw", *figure / *raw) : "";
        std::fprintf(out, "  %-9s  %s  %11s%s\n", label_text, bar(*figure, most, 40).c_str(),
                     rate(*figure).c_str(), ratio.c_str());
    }
}

} // namespace

void Summary::chart(std::FILE* out) const {
    std::fprintf(out, "\nthe reference loop and the fast loop (chapter 14), against the raw "
                      "baselines (longer is faster)\n");
    print_chart_of(out, lines_, "B1", "callbacks: call_soon chains", "callbacks_per_s");
    print_chart_of(out, lines_, "B3", "task switches: co_await sleep(0s)", "switches_per_s");
    print_chart_of(out, lines_, "B4", "echo server: requests answered", "req_per_s");
    print_chart_of(out, lines_, "B5", "queue: items handed over", "items_per_s");
    print_chart_of(out, lines_, "B8", "HTTP server: requests answered", "req_per_s");
    print(out);
}

void Summary::add(std::string_view text) {
    std::istringstream words{std::string(text)};
    Line line;
    std::string tag, word;
    if (!(words >> tag >> line.workload >> line.impl) || tag != "RESULT") return;
    while (words >> word) {
        auto equals = word.find('=');
        if (equals != std::string::npos)
            line.fields.emplace(word.substr(0, equals), word.substr(equals + 1));
    }
    lines_.push_back(std::move(line));
}

void Summary::print(std::FILE* out) const {
    std::vector<Row> reference_rows, fast_rows;
    add_loop(lines_, reference, reference_rows);
    add_loop(lines_, fast, fast_rows);
    if (fast_rows.empty()) {
        std::fprintf(out, "\nlooplab bench: the kit's loop against the raw baselines\n\n");
        print_rows(out, reference_rows);
    } else {
        std::fprintf(out, "\nlooplab bench: the reference loop and the fast loop (chapter 14) "
                          "against the raw baselines\n\n");
        print_side_by_side(out, reference_rows, fast_rows);
    }
    print_micro(out, lines_);
    std::fprintf(out, "\nloop/raw: the loop's figure over the raw one, same metric (for a rate, "
                      "the share of raw speed kept;\nfor a time, the cost multiple). Targets are "
                      "reported, not asserted.\n");
}

} // namespace looplab::bench
