package io.raftlog.perf;

import java.util.ArrayList;
import java.util.List;

/**
 * The scenarios of a run. {@code small} fits a 2-core machine in about five minutes, with backoff idle strategies
 * (what it can show is ratios between systems measured in the same run, not absolute latencies); {@code full} is
 * for a machine with a core per busy thread: busy-spin idle strategies, higher rates, longer windows.
 */
public enum Profile
{
    SMALL("backoff", 2, 4)
    {
        List<Workload> workloads()
        {
            final List<Workload> list = new ArrayList<>();
            for (final int payload : new int[]{32, 256, 4096})
            {
                list.add(latency(3, payload, 1_000, "page-cache"));
            }
            list.add(latency(5, 256, 1_000, "page-cache"));
            list.add(latency(3, 256, 1_000, "fsync"));
            list.add(throughput(3, 256, "page-cache"));
            list.add(throughput(3, 256, "fsync"));
            return list;
        }
    },

    FULL("busy-spin", 5, 15)
    {
        List<Workload> workloads()
        {
            final List<Workload> list = new ArrayList<>();
            for (final int nodes : new int[]{3, 5})
            {
                for (final int payload : new int[]{32, 256, 4096})
                {
                    for (final String durability : new String[]{"page-cache", "fsync"})
                    {
                        for (final int rate : new int[]{10_000, 100_000})
                        {
                            if (payload == 4096 && rate == 100_000)
                            {
                                continue; // 400 MB/s per follower: beyond what loopback UDP carries here
                            }
                            list.add(latency(nodes, payload, rate, durability));
                        }
                        list.add(throughput(nodes, payload, durability));
                    }
                }
            }
            return list;
        }
    };

    private final String idleStrategy;
    private final int warmupSec;
    private final int measureSec;

    Profile(final String idleStrategy, final int warmupSec, final int measureSec)
    {
        this.idleStrategy = idleStrategy;
        this.warmupSec = warmupSec;
        this.measureSec = measureSec;
    }

    abstract List<Workload> workloads();

    public String idleStrategy()
    {
        return idleStrategy;
    }

    Workload latency(final int nodes, final int payload, final int rate, final String durability)
    {
        return new Workload(nodes, payload, rate, warmupSec, measureSec, durability, idleStrategy);
    }

    Workload throughput(final int nodes, final int payload, final String durability)
    {
        return new Workload(nodes, payload, 0, warmupSec, measureSec, durability, idleStrategy);
    }

    public static Profile fromName(final String name)
    {
        for (final Profile profile : values())
        {
            if (profile.name().equalsIgnoreCase(name))
            {
                return profile;
            }
        }
        throw new IllegalArgumentException("unknown profile: " + name + " (small, full)");
    }
}
