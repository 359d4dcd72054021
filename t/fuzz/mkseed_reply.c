/*
 * Writes the raw RESP bytes of one snapshot reply, as the module reads
 * them (EVAL SE_SNAPSHOT_LUA 0 PREFIX and its limits), to a file: the
 * seeds of fuzz_reply (t/fuzz/corpus-reply, made by mkseed-reply.pl).
 * The first byte of the file is the fuzzer's control byte.
 *
 *   mkseed_reply PORT PREFIX CONTROL OUT
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "se_snapshot.h"


int
main(int argc, char **argv)
{
    int                  fd;
    char                *cmd, buf[65536], *all;
    long long            n;
    size_t               len, have, argvlen[9];
    ssize_t              k;
    FILE                *f;
    void                *reply;
    const char          *av[9];
    redisReader         *r;
    struct sockaddr_in   sin;

    if (argc != 5) {
        fprintf(stderr, "usage: %s port prefix control out\n", argv[0]);
        return 2;
    }

    av[0] = "EVAL";
    av[1] = SE_SNAPSHOT_LUA;
    av[2] = "0";
    av[3] = argv[2];
    av[4] = SE_SNAPSHOT_MAX_HISTORY;
    av[5] = SE_SNAPSHOT_MAX_UPDATES;
    av[6] = SE_SNAPSHOT_MAX_VALUE;
    av[7] = SE_SNAPSHOT_MAX_FIELDS;
    av[8] = SE_SNAPSHOT_MAX_BYTES;

    for (k = 0; k < 9; k++) {
        argvlen[k] = strlen(av[k]);
    }

    n = redisFormatCommandArgv(&cmd, 9, av, argvlen);
    if (n < 0) {
        return 1;
    }

    fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short) atoi(argv[1]));
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    if (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) != 0
        || write(fd, cmd, (size_t) n) != n)
    {
        perror("redis");
        return 1;
    }

    r = redisReaderCreate();
    all = NULL;
    have = 0;
    reply = NULL;

    while (reply == NULL) {
        k = read(fd, buf, sizeof(buf));
        if (k <= 0) {
            fprintf(stderr, "connection closed\n");
            return 1;
        }

        all = realloc(all, have + (size_t) k);
        memcpy(all + have, buf, (size_t) k);
        have += (size_t) k;

        if (redisReaderFeed(r, buf, (size_t) k) != REDIS_OK
            || redisReaderGetReply(r, &reply) != REDIS_OK)
        {
            fprintf(stderr, "bad reply\n");
            return 1;
        }
    }

    len = have;

    f = fopen(argv[4], "wb");
    if (f == NULL) {
        perror(argv[4]);
        return 1;
    }

    fputc(atoi(argv[3]) & 0xff, f);
    fwrite(all, 1, len, f);
    fclose(f);

    printf("%s: %zu bytes, reply type %d\n", argv[4], len,
           ((redisReply *) reply)->type);

    return 0;
}
