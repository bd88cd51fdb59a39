/* A stand-in for Windows' bcryptprimitives.dll, for trying the Windows build under Wine 8 only
 * (packaging/check-windows.sh puts it in the Wine prefix, never in the installer). Rust's
 * standard library takes its random bytes from ProcessPrng in bcryptprimitives.dll, which every
 * Windows from 10 on has and Wine 8.0 (Debian 12) does not; without it the program does not
 * start under Wine. This one answers with RtlGenRandom (advapi32's SystemFunction036). */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, n)) {
            return FALSE;
        }
        data += n;
        length -= n;
    }
    return TRUE;
}
