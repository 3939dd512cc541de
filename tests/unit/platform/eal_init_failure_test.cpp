// Why rte_eal_init failed, told from what EAL looked at: the EAL options that name places, the
// lock a running primary holds on its runtime config, and the --huge-dir.
//   FORBIDDEN: "Success" or "Permission denied" where the cause is known

#include "platform/eal_init_failure.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

namespace sentinel::platform {
namespace {

EalPlaces places_of(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    return eal_places(static_cast<int>(argv.size()), argv.data());
}

TEST(EalPlaces, ReadsBothFormsAndStopsAtTheDoubleDash) {
    const EalPlaces p = places_of({"sentinel", "-l", "0-1", "--file-prefix", "a", "--huge-dir=/mnt/h", "--no-shconf",
                                   "--", "--file-prefix", "b", "--no-huge"});
    EXPECT_EQ(p.file_prefix, "a");
    EXPECT_EQ(p.huge_dir, "/mnt/h");
    EXPECT_TRUE(p.no_shconf);
    EXPECT_FALSE(p.no_huge) << "after '--' the options are the application's";
    const EalPlaces d = places_of({"sentinel", "--file-prefix=x", "--huge-dir", "/d", "--no-huge", "--in-memory"});
    EXPECT_EQ(d.file_prefix, "x");
    EXPECT_EQ(d.huge_dir, "/d");
    EXPECT_TRUE(d.no_huge);
    EXPECT_TRUE(d.no_shconf);
    EXPECT_EQ(places_of({"sentinel"}).file_prefix, "rte") << "EAL's default";
}

// A runtime directory of the test's own, and a child that holds the config lock as a primary does
// (F_SETLK on its memory-segment range): F_GETLK never reports the caller's own locks.
class RuntimeDir : public ::testing::Test {
protected:
    void SetUp() override {
        char dir[] = "/tmp/eal_init_failure.XXXXXX";
        ASSERT_NE(::mkdtemp(dir), nullptr);
        dir_ = dir;
    }
    void TearDown() override {
        if (holder_ > 0) {
            ::close(release_);
            ::waitpid(holder_, nullptr, 0);
        }
        std::filesystem::remove_all(dir_);
    }
    // Forks a child that locks dir/config and keeps it until TearDown.
    void hold_config() {
        int locked[2], release[2];
        ASSERT_EQ(::pipe(locked), 0);
        ASSERT_EQ(::pipe(release), 0);
        holder_ = ::fork();
        ASSERT_GE(holder_, 0);
        if (holder_ == 0) {
            ::close(release[1]);  // or its read below would never see the parent's end close
            ::close(locked[0]);
            const int fd = ::open((dir_ / "config").c_str(), O_RDWR | O_CREAT, 0600);
            struct flock lock {};
            lock.l_type = F_WRLCK;
            lock.l_whence = SEEK_SET;
            lock.l_start = 128;
            lock.l_len = 4096;
            const char ok = fd >= 0 && ::fcntl(fd, F_SETLK, &lock) == 0 ? '1' : '0';
            (void)!::write(locked[1], &ok, 1);
            char byte;
            (void)!::read(release[0], &byte, 1);  // returns once the parent closes its end
            ::_exit(0);
        }
        ::close(locked[1]);
        ::close(release[0]);
        release_ = release[1];
        char ok = '0';
        ASSERT_EQ(::read(locked[0], &ok, 1), 1);
        ::close(locked[0]);
        ASSERT_EQ(ok, '1') << "the child could not lock " << (dir_ / "config");
    }

    std::filesystem::path dir_;
    pid_t holder_ = -1;
    int release_ = -1;
};

TEST_F(RuntimeDir, APrefixARunningPrimaryHoldsNamesItsPid) {
    hold_config();
    EalPlaces places;
    places.file_prefix = "clash";
    EXPECT_EQ(explain_eal_init_failure(0, places, dir_.string()),
              "another DPDK process (PID " + std::to_string(holder_) +
                  ") uses --file-prefix clash: give this one another prefix (--file-prefix NAME) or stop that one");
}

TEST_F(RuntimeDir, AConfigNobodyHoldsIsNoClash) {
    const int fd = ::open((dir_ / "config").c_str(), O_RDWR | O_CREAT, 0600);  // a primary that exited
    ASSERT_GE(fd, 0);
    ::close(fd);
    const std::string line = explain_eal_init_failure(0, EalPlaces{}, dir_.string());
    EXPECT_EQ(line.find("another DPDK process"), std::string::npos) << line;
    EXPECT_EQ(line, "cannot initialise DPDK's EAL (its lines above say why; check the EAL options before '--')");
}

TEST_F(RuntimeDir, AHugeDirThatIsNoHugetlbfsSaysSoInsteadOfPermissionDenied) {
    EalPlaces places;
    places.huge_dir = (dir_ / "none").string();
    const std::string missing = explain_eal_init_failure(EACCES, places, dir_.string());
    EXPECT_EQ(missing.rfind("--huge-dir " + *places.huge_dir + " does not exist: ", 0), 0u) << missing;
    EXPECT_NE(missing.find("hugepages.sh reserve"), std::string::npos) << missing;
    EXPECT_NE(missing.find("--no-huge"), std::string::npos) << missing;

    places.huge_dir = dir_.string();
    const std::string plain = explain_eal_init_failure(EACCES, places, dir_.string());
    EXPECT_EQ(plain.rfind("--huge-dir " + dir_.string() + " is not a hugetlbfs mount: ", 0), 0u) << plain;

    places.no_huge = true;  // then EAL never looked at it: its own error stands
    EXPECT_EQ(explain_eal_init_failure(EACCES, places, dir_.string()).find("--huge-dir"), std::string::npos);
}

}  // namespace
}  // namespace sentinel::platform
