// A timeline of spans and events on one time axis, drawn as ASCII for the
// terminal and as SVG (demo tooling, given: every chapter's demo draws with it, so
// it lives here beside the slow server rather than in a chapter's library code).
#pragma once

#include <string>
#include <vector>

namespace aio {

// Rows of spans ("request 3 waited from 0.02 s to 0.22 s") and instant events
// ("answer arrived") on one axis measured in seconds since the timeline's zero.
// Rows appear in the order of their first span or event. The mark character
// draws the span in ASCII and picks its colour in SVG, so one mark per kind of
// activity keeps both pictures readable.
class Timeline {
public:
    explicit Timeline(std::string title);

    // ValueError if start_s is negative or end_s is before start_s.
    void add_span(const std::string& row, double start_s, double end_s, char mark = '#');
    // ValueError if at_s is negative.
    void add_event(const std::string& row, double at_s, char mark = '|');

    std::string to_ascii(int width = 64) const;   // rows, then a time axis with labels
    std::string to_svg() const;                   // self-contained SVG, axis in ms or s
    void save_svg(const std::string& path) const; // std::system_error("open") on failure

private:
    struct Item {
        double start_s;
        double end_s; // == start_s for an event
        char mark;
        bool event;
    };
    struct Row {
        std::string name;
        std::vector<Item> items;
    };

    Row& row_named(const std::string& name);
    double axis_end() const; // the end of the axis: a whole number of ticks
    double tick_step() const;

    std::string title_;
    std::vector<Row> rows_;
};

} // namespace aio
