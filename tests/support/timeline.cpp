// Drawing a Timeline as ASCII and as SVG (see timeline.hpp).
#include "timeline.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <system_error>

#include "aio_base.hpp"

namespace aio {

namespace {

// SVG geometry, in pixels.
constexpr double min_svg_width = 900;
constexpr double title_char_width = 10.0; // of the 17 px bold title
constexpr double row_height = 22;
constexpr double top = 48; // the first row, below the title
constexpr double right_margin = 24;
constexpr double char_width = 7.8; // of the 13 px monospace labels

std::string format(const char* pattern, double value) {
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

// "0 ms", "250 ms" below one second; "0 s", "1.5 s" above.
std::string time_label(double seconds, bool in_ms) {
    return in_ms ? format("%g ms", std::round(seconds * 1e6) / 1e3)
                 : format("%g s", std::round(seconds * 1e3) / 1e3);
}

std::string xml_escaped(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else if (c == '&')
            out += "&amp;";
        else if (c == '"')
            out += "&quot;";
        else
            out += c;
    }
    return out;
}

// One colour per mark, stable across runs: the common marks get chosen colours.
std::string colour_of(char mark) {
    static constexpr const char* palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                                              "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};
    switch (mark) {
    case '#': return palette[0];
    case '=': return palette[1];
    case '~': return palette[2];
    case '|': return "#333333";
    default: return palette[static_cast<unsigned char>(mark) % 8];
    }
}

void check_time(const char* what, double seconds) {
    if (!std::isfinite(seconds) || seconds < 0)
        throw ValueError(std::string("Timeline: ") + what +
                         " must be a time >= 0 s since the "
                         "timeline's zero, got " +
                         format("%g", seconds));
}

// The ASCII axis: '+' at each tick, each label starting below its tick when there is room.
std::string ascii_axis(int width, double end, double step, std::size_t indent) {
    std::string axis(static_cast<std::size_t>(width) + 1, '-');
    std::string labels(static_cast<std::size_t>(width) + 16, ' ');
    std::size_t free_from = 0;
    for (int k = 0; k * step <= end + 1e-9; ++k) {
        std::size_t at = static_cast<std::size_t>(std::lround(k * step / end * width));
        axis[at] = '+';
        std::string label = time_label(k * step, end < 1.0);
        if (at < free_from || at + label.size() > labels.size()) continue;
        labels.replace(at, label.size(), label);
        free_from = at + label.size() + 1;
    }
    labels.erase(labels.find_last_not_of(' ') + 1);
    std::string pad(indent, ' ');
    return pad + axis + "\n" + pad + labels + "\n";
}

// Where the SVG plot sits: time t is drawn at x(t).
struct SvgFrame {
    double left = 0, plot = 0, end = 1, bottom = 0;
    std::string x(double t) const { return format("%.1f", left + t / end * plot); }
};

std::string svg_header(const std::string& title, double width, double height) {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + format("%.0f", width) +
           " " + format("%.0f", height) +
           "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
           "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
           "<text x=\"16\" y=\"28\" font-size=\"17\" font-weight=\"bold\">" +
           xml_escaped(title) + "</text>\n";
}

// Grid lines and tick labels first, so that the spans are drawn over them.
std::string svg_axis(const SvgFrame& f, double step) {
    std::string svg;
    std::string y_top = format("%.0f", top - 4), y_axis = format("%.0f", f.bottom + 6);
    for (int k = 0; k * step <= f.end + 1e-9; ++k) {
        std::string at = f.x(k * step);
        svg += "<line x1=\"" + at + "\" y1=\"" + y_top + "\" x2=\"" + at + "\" y2=\"" + y_axis +
               "\" stroke=\"#dddddd\"/>\n<text x=\"" + at + "\" y=\"" +
               format("%.0f", f.bottom + 24) + "\" font-size=\"13\" text-anchor=\"middle\">" +
               time_label(k * step, f.end < 1.0) + "</text>\n";
    }
    return svg + "<line x1=\"" + f.x(0) + "\" y1=\"" + y_axis + "\" x2=\"" + f.x(f.end) +
           "\" y2=\"" + y_axis + "\" stroke=\"#333333\"/>\n";
}

std::string svg_label(double y, const std::string& name) {
    return "<text x=\"16\" y=\"" + format("%.1f", y + 15) +
           "\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"13\">" +
           xml_escaped(name) + "</text>\n";
}

std::string svg_span(const SvgFrame& f, double y, double start, double end, char mark) {
    double width = std::max(1.0, (end - start) / f.end * f.plot);
    return "<rect x=\"" + f.x(start) + "\" y=\"" + format("%.1f", y + 4) + "\" width=\"" +
           format("%.1f", width) + "\" height=\"14\" rx=\"2\" fill=\"" + colour_of(mark) + "\"/>\n";
}

std::string svg_event(const SvgFrame& f, double y, double at, char mark) {
    return "<line x1=\"" + f.x(at) + "\" y1=\"" + format("%.1f", y + 2) + "\" x2=\"" + f.x(at) +
           "\" y2=\"" + format("%.1f", y + 20) + "\" stroke=\"" + colour_of(mark) +
           "\" stroke-width=\"2\"/>\n";
}

} // namespace

Timeline::Timeline(std::string title) : title_(std::move(title)) {}

Timeline::Row& Timeline::row_named(const std::string& name) {
    for (Row& row : rows_)
        if (row.name == name) return row;
    rows_.push_back(Row{name, {}});
    return rows_.back();
}

void Timeline::add_span(const std::string& row, double start_s, double end_s, char mark) {
    check_time("a span's start", start_s);
    check_time("a span's end", end_s);
    if (end_s < start_s)
        throw ValueError("Timeline: span '" + row + "' ends (" + format("%g", end_s) +
                         " s) before it starts (" + format("%g", start_s) + " s)");
    row_named(row).items.push_back(Item{start_s, end_s, mark, false});
}

void Timeline::add_event(const std::string& row, double at_s, char mark) {
    check_time("an event's time", at_s);
    row_named(row).items.push_back(Item{at_s, at_s, mark, true});
}

// A 1-2-5 step that cuts the axis into at most 8 ticks.
double Timeline::tick_step() const {
    double last = 0;
    for (const Row& row : rows_)
        for (const Item& item : row.items)
            last = std::max(last, item.end_s);
    if (last <= 0) last = 1e-3;
    double magnitude = std::pow(10.0, std::floor(std::log10(last / 8)));
    for (double factor : {1.0, 2.0, 5.0, 10.0})
        if (factor * magnitude * 8 >= last) return factor * magnitude;
    return 10 * magnitude;
}

double Timeline::axis_end() const {
    double last = 0;
    for (const Row& row : rows_)
        for (const Item& item : row.items)
            last = std::max(last, item.end_s);
    double step = tick_step();
    return std::max(step, std::ceil(last / step - 1e-9) * step);
}

std::string Timeline::to_ascii(int width) const {
    width = std::max(width, 10);
    double end = axis_end();
    auto column = [&](double t) { return std::min(width - 1, static_cast<int>(t / end * width)); };
    std::size_t label_width = 0;
    for (const Row& row : rows_)
        label_width = std::max(label_width, row.name.size());
    std::string out = title_ + "\n";
    for (const Row& row : rows_) {
        std::string cells(static_cast<std::size_t>(width), ' ');
        for (const Item& item : row.items) {
            int first = column(item.start_s);
            int last = item.event ? first : std::max(first, column(item.end_s) - 1);
            for (int c = first; c <= last; ++c)
                cells[static_cast<std::size_t>(c)] = item.mark;
        }
        out += row.name + std::string(label_width - row.name.size(), ' ') + " |" + cells + "|\n";
    }
    return out + ascii_axis(width, end, tick_step(), label_width + 1);
}

std::string Timeline::to_svg() const {
    std::size_t label_chars = 0;
    for (const Row& row : rows_)
        label_chars = std::max(label_chars, row.name.size());
    SvgFrame frame;
    frame.left = 16 + char_width * static_cast<double>(label_chars) + 12;
    // Wide enough for the title: a long one widens the picture instead of being cut.
    double width =
        std::max(min_svg_width, 32 + title_char_width * static_cast<double>(title_.size()));
    frame.plot = width - frame.left - right_margin;
    frame.end = axis_end();
    frame.bottom = top + row_height * static_cast<double>(rows_.size());
    std::string svg = svg_header(title_, width, frame.bottom + 44) + svg_axis(frame, tick_step());
    for (std::size_t r = 0; r < rows_.size(); ++r) {
        double y = top + row_height * static_cast<double>(r);
        svg += svg_label(y, rows_[r].name);
        for (const Item& item : rows_[r].items)
            svg += item.event ? svg_event(frame, y, item.start_s, item.mark)
                              : svg_span(frame, y, item.start_s, item.end_s, item.mark);
    }
    return svg + "</svg>\n";
}

void Timeline::save_svg(const std::string& path) const {
    std::FILE* file = std::fopen(path.c_str(), "w");
    if (file == nullptr) throw std::system_error(errno, std::generic_category(), "open");
    std::string svg = to_svg();
    bool written = std::fwrite(svg.data(), 1, svg.size(), file) == svg.size();
    int error = errno;
    if (std::fclose(file) != 0 || !written)
        throw std::system_error(written ? errno : error, std::generic_category(), "write");
}

} // namespace aio
