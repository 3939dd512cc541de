// MessageBuffer: the window after the next number, the length limit, copies that outlive the
// caller's bytes, and slots reused as the window moves.

#include <gtest/gtest.h>

#include <memory_resource>
#include <vector>

#include "feed/message_buffer.hpp"

namespace sentinel::feed {
namespace {

std::vector<std::byte> bytes(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int v : values) out.push_back(std::byte(v));
    return out;
}

TEST(MessageBuffer, HoldsTheWindowAfterTheNextNumberAndMessagesUpToTheLimit) {
    MessageBuffer b(6, 4, std::pmr::get_default_resource());  // rounded up to 8
    EXPECT_TRUE(b.can_hold(10, 11, 4));
    EXPECT_TRUE(b.can_hold(10, 17, 0));
    EXPECT_FALSE(b.can_hold(10, 18, 1)) << "its slot is the next number's";
    EXPECT_FALSE(b.can_hold(10, 11, 5)) << "longer than a slot";
}

TEST(MessageBuffer, KeepsCopiesAndTellsASlotsTenantsApart) {
    MessageBuffer b(8, 4, std::pmr::get_default_resource());
    EXPECT_FALSE(b.holds(3)) << "starts empty";
    std::vector<std::byte> m = bytes({1, 2, 3});
    b.hold(3, m);
    m[0] = std::byte{9};
    ASSERT_TRUE(b.holds(3));
    EXPECT_EQ(std::vector<std::byte>(b.message(3).begin(), b.message(3).end()), bytes({1, 2, 3}));
    EXPECT_FALSE(b.holds(11)) << "same slot, another number";
    b.hold(11, bytes({7}));
    EXPECT_TRUE(b.holds(11));
    EXPECT_FALSE(b.holds(3));
    b.hold(12, {});
    EXPECT_TRUE(b.holds(12));
    EXPECT_TRUE(b.message(12).empty());
}

}  // namespace
}  // namespace sentinel::feed
