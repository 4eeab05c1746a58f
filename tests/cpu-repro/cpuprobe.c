/* cpuprobe.c — prints the x86-64 features that select SIMD code paths in
 * deflate libraries, as the CPU (or qemu's emulated model) reports them, so
 * tests/cpu-repro/run.sh can prove each model is what it claims to be. */
#include <stdio.h>

int main(void) {
    __builtin_cpu_init();
    printf("ssse3=%d sse4.2=%d pclmul=%d avx=%d avx2=%d avx512f=%d\n", !!__builtin_cpu_supports("ssse3"),
           !!__builtin_cpu_supports("sse4.2"), !!__builtin_cpu_supports("pclmul"), !!__builtin_cpu_supports("avx"),
           !!__builtin_cpu_supports("avx2"), !!__builtin_cpu_supports("avx512f"));
    return 0;
}
