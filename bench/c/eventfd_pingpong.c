/*
 * Baseline for the doorbell benchmark: two processes ring each other through
 * a pair of eventfds, the same kernel objects zpy's doorbells are. Prints the
 * round-trip times (nanoseconds) of N rounds after a warm-up, one per line.
 *
 * usage: eventfd_pingpong [ROUNDS [WARMUP [CPU CPU]]]  (the CPUs of the measuring
 * process and of the echoing one; unpinned without them)
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		perror("sched_setaffinity");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 10000;
	int warmup = argc > 2 ? atoi(argv[2]) : 500;
	int ping = eventfd(0, 0), pong = eventfd(0, 0);
	uint64_t one = 1, value;
	long long *rtt = malloc(sizeof(*rtt) * rounds);
	pid_t child;

	if (ping < 0 || pong < 0 || rtt == NULL) {
		perror("eventfd");
		return 1;
	}
	child = fork();
	if (child == 0) {
		if (argc > 4) {
			pin(atoi(argv[4]));
		}
		for (int i = 0; i < rounds + warmup; i++) {
			if (read(ping, &value, 8) != 8 || write(pong, &one, 8) != 8) {
				_exit(1);
			}
		}
		_exit(0);
	}
	if (argc > 4) {
		pin(atoi(argv[3]));
	}
	for (int i = 0; i < rounds + warmup; i++) {
		long long t0 = now_ns();

		if (write(ping, &one, 8) != 8 || read(pong, &value, 8) != 8) {
			perror("ping-pong");
			return 1;
		}
		if (i >= warmup) {
			rtt[i - warmup] = now_ns() - t0;
		}
	}
	waitpid(child, NULL, 0);
	for (int i = 0; i < rounds; i++) {
		printf("%lld\n", rtt[i]);
	}
	return 0;
}
