#include "damage_bounds.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <utility>

namespace spectrum::policy {

namespace {

DamageBox bounding(const DamageBox& a, const DamageBox& b) {
    return {std::min(a.x1, b.x1), std::min(a.y1, b.y1), std::max(a.x2, b.x2), std::max(a.y2, b.y2)};
}

bool touch(const DamageBox& a, const DamageBox& b) {
    return a.x1 <= b.x2 && b.x1 <= a.x2 && a.y1 <= b.y2 && b.y1 <= a.y2;
}

int find(std::vector<int>& parent, int i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
}

// Boxes that touch become their bounding box: pixman's bands split one changed area (a
// square that moved a little) into several rectangles, and this puts it back together.
std::vector<DamageBox> join_touching(const std::vector<DamageBox>& boxes) {
    std::vector<int> parent(boxes.size());
    std::iota(parent.begin(), parent.end(), 0);
    for (std::size_t i = 0; i < boxes.size(); ++i)
        for (std::size_t j = i + 1; j < boxes.size(); ++j)
            if (touch(boxes[i], boxes[j])) parent[find(parent, int(i))] = find(parent, int(j));
    std::vector<DamageBox> joined;
    std::vector<int> slot(boxes.size(), -1);
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        const int root = find(parent, int(i));
        if (slot[root] < 0) {
            slot[root] = int(joined.size());
            joined.push_back(boxes[i]);
        } else {
            joined[slot[root]] = bounding(joined[slot[root]], boxes[i]);
        }
    }
    return joined;
}

// [x1, x2) ranges on one row.
using Spans = std::vector<std::pair<int, int>>;

// Sorts `spans` and joins those that overlap or touch, as pixman does within a band.
void join_spans(Spans& spans) {
    std::sort(spans.begin(), spans.end());
    std::size_t kept = 0;
    for (const auto& span : spans) {
        if (kept && span.first <= spans[kept - 1].second)
            spans[kept - 1].second = std::max(spans[kept - 1].second, span.second);
        else
            spans[kept++] = span;
    }
    spans.resize(kept);
}

// Boxes stretched to one height [y1, y2): the spans of a band of the cover.
struct Strip {
    int y1, y2;
    Spans spans; // sorted, apart once joined

    std::int64_t height() const { return y2 - y1; }
    std::int64_t area() const {
        std::int64_t width = 0;
        for (const auto& [x1, x2] : spans) width += x2 - x1;
        return width * height();
    }
    std::size_t join_spans() {
        policy::join_spans(spans);
        return spans.size();
    }
    // Joins the two spans with the narrowest gap between them.
    void join_narrowest_gap() {
        std::size_t at = 0;
        for (std::size_t k = 1; k + 1 < spans.size(); ++k)
            if (spans[k + 1].first - spans[k].second < spans[at + 1].first - spans[at].second) at = k;
        spans[at].second = spans[at + 1].second;
        spans.erase(spans.begin() + std::ptrdiff_t(at) + 1);
    }
    // Both strips as one, with no more spans than the larger had (so at least one fewer
    // rectangle than the two), the narrowest gaps joined first.
    static Strip join(const Strip& a, const Strip& b) {
        Strip joined{std::min(a.y1, b.y1), std::max(a.y2, b.y2), a.spans};
        joined.spans.insert(joined.spans.end(), b.spans.begin(), b.spans.end());
        joined.join_spans();
        while (joined.spans.size() > std::max(a.spans.size(), b.spans.size())) joined.join_narrowest_gap();
        return joined;
    }
};

// At most exact_damage_limit boxes covering `boxes`: each box goes to the grid cell of its
// top-left corner, and a cell's boxes become their bounding box. Linear in the boxes.
std::vector<DamageBox> join_per_cell(const std::vector<DamageBox>& boxes) {
    std::int64_t x1 = boxes.front().x1, y1 = boxes.front().y1, x2 = boxes.front().x2, y2 = boxes.front().y2;
    for (const auto& box : boxes) {
        x1 = std::min<std::int64_t>(x1, box.x1), y1 = std::min<std::int64_t>(y1, box.y1);
        x2 = std::max<std::int64_t>(x2, box.x2), y2 = std::max<std::int64_t>(y2, box.y2);
    }
    constexpr auto side = static_cast<std::int64_t>(coarse_cells_per_side);
    const auto cell_of = [side](std::int64_t at, std::int64_t from, std::int64_t to) {
        return std::min(side - 1, (at - from) * side / (to - from));
    };
    std::vector<DamageBox> cells(exact_damage_limit);
    std::vector<bool> used(exact_damage_limit);
    for (const auto& box : boxes) {
        const auto cell = static_cast<std::size_t>(cell_of(box.y1, y1, y2) * side + cell_of(box.x1, x1, x2));
        cells[cell] = used[cell] ? bounding(cells[cell], box) : box;
        used[cell] = true;
    }
    std::vector<DamageBox> joined;
    for (std::size_t cell = 0; cell < cells.size(); ++cell)
        if (used[cell]) joined.push_back(cells[cell]);
    return joined;
}

} // namespace

std::size_t banded_rect_count(std::span<const DamageBox> boxes) {
    std::vector<int> ys;
    for (const auto& box : boxes) {
        if (box.x1 >= box.x2 || box.y1 >= box.y2) continue;
        ys.push_back(box.y1);
        ys.push_back(box.y2);
    }
    std::sort(ys.begin(), ys.end());
    ys.erase(std::unique(ys.begin(), ys.end()), ys.end());
    std::size_t count = 0;
    Spans previous, spans;
    for (std::size_t k = 0; k + 1 < ys.size(); ++k) {
        spans.clear();
        for (const auto& box : boxes)
            if (box.x1 < box.x2 && box.y1 <= ys[k] && box.y2 >= ys[k + 1]) spans.emplace_back(box.x1, box.x2);
        join_spans(spans);
        // A band like the one just above it extends those rectangles instead.
        if (spans != previous) count += spans.size();
        std::swap(previous, spans);
    }
    return count;
}

std::vector<DamageBox> bound_damage(std::vector<DamageBox> boxes, std::size_t max_rects) {
    std::erase_if(boxes, [](const DamageBox& b) { return b.x1 >= b.x2 || b.y1 >= b.y2; });
    // Counting is quadratic too: many boxes are joined first, whatever their count.
    if (boxes.size() > exact_damage_limit)
        boxes = join_per_cell(boxes);
    else if (banded_rect_count(boxes) <= max_rects)
        return boxes;
    boxes = join_touching(boxes);

    // pixman stores a region as horizontal bands, each a row of spans. So build the cover
    // the same way: strips (boxes whose heights overlap, stretched to the strip's height)
    // holding spans (their widths joined), one rectangle per span. Then, while there are too
    // many, take the cheapest step that removes some: join two neighbouring spans of a strip,
    // or two neighbouring strips (Strip::join), whichever paints the fewest extra pixels per
    // rectangle saved. Either step always exists while there are two rectangles or more.
    std::sort(boxes.begin(), boxes.end(), [](const DamageBox& a, const DamageBox& b) { return a.y1 < b.y1; });
    std::vector<Strip> strips;
    for (const auto& box : boxes) {
        if (strips.empty() || box.y1 >= strips.back().y2) strips.push_back({box.y1, box.y2, {}});
        Strip& strip = strips.back();
        strip.y2 = std::max(strip.y2, box.y2);
        strip.spans.emplace_back(box.x1, box.x2);
    }
    std::size_t rects = 0;
    for (auto& strip : strips) rects += strip.join_spans();

    while (rects > max_rects) {
        // The cheapest step, in extra pixels per rectangle it saves.
        double best_cost = std::numeric_limits<double>::infinity();
        std::size_t best_strip = 0, best_span = 0;
        bool join_strips = false;
        for (std::size_t s = 0; s < strips.size(); ++s) {
            const Strip& strip = strips[s];
            for (std::size_t k = 0; k + 1 < strip.spans.size(); ++k) {
                const double gap = double(strip.spans[k + 1].first - strip.spans[k].second) * strip.height();
                if (gap < best_cost) best_cost = gap, best_strip = s, best_span = k, join_strips = false;
            }
            if (s + 1 == strips.size()) continue;
            const Strip joined = Strip::join(strip, strips[s + 1]);
            const std::size_t saved = strip.spans.size() + strips[s + 1].spans.size() - joined.spans.size();
            const double extra = double(joined.area() - strip.area() - strips[s + 1].area()) / double(saved);
            if (extra < best_cost) best_cost = extra, best_strip = s, join_strips = true;
        }
        Strip& strip = strips[best_strip];
        if (join_strips) {
            const std::size_t before = strip.spans.size() + strips[best_strip + 1].spans.size();
            strip = Strip::join(strip, strips[best_strip + 1]);
            strips.erase(strips.begin() + std::ptrdiff_t(best_strip) + 1);
            rects -= before - strip.spans.size();
        } else {
            strip.spans[best_span].second = strip.spans[best_span + 1].second;
            strip.spans.erase(strip.spans.begin() + std::ptrdiff_t(best_span) + 1);
            --rects;
        }
    }
    std::vector<DamageBox> bounded;
    for (const auto& strip : strips)
        for (const auto& [x1, x2] : strip.spans) bounded.push_back({x1, strip.y1, x2, strip.y2});
    return bounded;
}

} // namespace spectrum::policy
