/*
 * The built-in languages (se_lang.h): their labels, names and the choice
 * from an Accept-Language header.
 */

#include <string.h>
#include <strings.h>

#include "se_derive.h"
#include "se_lang.h"


static const se_lang_labels_t  se_lang_table[SE_LANG_N] = {

    { "en",
      { "Notice", "Minor outage", "Partial outage", "Major outage",
        "Maintenance" },
      "Scheduled maintenance",
      { "Investigating", "Identified", "Monitoring", "Resolved",
        "Postmortem", "Scheduled", "In progress", "Verifying",
        "Completed" },
      "Next update by ",
      "Scheduled for ",
      "\xe2\x80\x93",                   /* en dash */
      "View status page",
      "Dismiss" },

    { "ko",
      { "\xec\x95\x8c\xeb\xa6\xbc",                     /* 알림 */
        "\xea\xb2\xbd\xeb\xaf\xb8\xed\x95\x9c \xec\x9e\xa5\xec\x95\xa0",
                                                        /* 경미한 장애 */
        "\xeb\xb6\x80\xeb\xb6\x84 \xec\x9e\xa5\xec\x95\xa0",
                                                        /* 부분 장애 */
        "\xec\xa3\xbc\xec\x9a\x94 \xec\x9e\xa5\xec\x95\xa0",
                                                        /* 주요 장애 */
        "\xec\xa0\x90\xea\xb2\x80" },                   /* 점검 */
      "\xec\x98\x88\xec\xa0\x95\xeb\x90\x9c \xec\xa0\x90\xea\xb2\x80",
                                                        /* 예정된 점검 */
      { "\xec\xa1\xb0\xec\x82\xac \xec\xa4\x91",        /* 조사 중 */
        "\xec\x9b\x90\xec\x9d\xb8 \xed\x8c\x8c\xec\x95\x85",
                                                        /* 원인 파악 */
        "\xeb\xaa\xa8\xeb\x8b\x88\xed\x84\xb0\xeb\xa7\x81 \xec\xa4\x91",
                                                        /* 모니터링 중 */
        "\xed\x95\xb4\xea\xb2\xb0\xeb\x90\xa8",         /* 해결됨 */
        "\xec\x82\xac\xed\x9b\x84 \xeb\xb6\x84\xec\x84\x9d",
                                                        /* 사후 분석 */
        "\xec\x98\x88\xec\xa0\x95\xeb\x90\xa8",         /* 예정됨 */
        "\xec\xa7\x84\xed\x96\x89 \xec\xa4\x91",        /* 진행 중 */
        "\xea\xb2\x80\xec\xa6\x9d \xec\xa4\x91",        /* 검증 중 */
        "\xec\x99\x84\xeb\xa3\x8c\xeb\x90\xa8" },       /* 완료됨 */
      /* 다음 업데이트 예정: */
      "\xeb\x8b\xa4\xec\x9d\x8c \xec\x97\x85\xeb\x8d\xb0\xec\x9d\xb4"
      "\xed\x8a\xb8 \xec\x98\x88\xec\xa0\x95: ",
      "\xec\xa0\x90\xea\xb2\x80 \xec\x9d\xbc\xec\xa0\x95: ",
                                                        /* 점검 일정: */
      "~",
      /* 상태 페이지 보기 */
      "\xec\x83\x81\xed\x83\x9c \xed\x8e\x98\xec\x9d\xb4\xec\xa7\x80 "
      "\xeb\xb3\xb4\xea\xb8\xb0",
      "\xeb\x8b\xab\xea\xb8\xb0" }                      /* 닫기 */
};


const char *
se_lang_name(se_lang_e lang)
{
    return lang < SE_LANG_N ? se_lang_table[lang].lang : "en";
}


/* Accept-Language */

static int
se_lang_qvalue(const char *p, const char *end)
{
    int  q, scale;

    /* "q=1", "q=1.000", "q=0.5"; in thousandths, -1 when broken */

    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    if (end - p < 3 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') {
        return -1;
    }

    p += 2;

    if (*p != '0' && *p != '1') {
        return -1;
    }

    q = (*p++ - '0') * 1000;

    if (p < end && *p == '.') {
        p++;

        for (scale = 100; p < end && *p >= '0' && *p <= '9'; p++) {
            q += (*p - '0') * scale;
            scale /= 10;
        }
    }

    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    if (p != end || q > 1000) {
        return -1;
    }

    return q;
}


se_lang_e
se_lang_negotiate(const char *s, size_t len)
{
    const char  *p, *end, *item, *semi, *tag_end;
    int          q, best[SE_LANG_N];
    size_t       n, i, pos[SE_LANG_N], k;

    if (s == NULL) {
        return SE_LANG_EN;
    }

    for (i = 0; i < SE_LANG_N; i++) {
        best[i] = -1;
        pos[i] = SIZE_MAX;
    }

    p = s;
    end = s + len;

    for (k = 0; p < end; k++) {
        item = p;

        while (p < end && *p != ',') {
            p++;
        }

        semi = item;
        while (semi < p && *semi != ';') {
            semi++;
        }

        while (item < semi && (*item == ' ' || *item == '\t')) {
            item++;
        }

        tag_end = item;
        while (tag_end < semi && *tag_end != ' ' && *tag_end != '\t'
               && *tag_end != '-')
        {
            tag_end++;
        }

        n = tag_end - item;

        q = (semi < p) ? se_lang_qvalue(semi + 1, p) : 1000;

        if (p < end) {
            p++;                        /* ',' */
        }

        if (q <= 0 || n != 2) {
            continue;
        }

        for (i = 0; i < SE_LANG_N; i++) {
            if (strncasecmp(item, se_lang_table[i].lang, 2) == 0
                && q > best[i])
            {
                best[i] = q;
                pos[i] = k;
            }
        }
    }

    if (best[SE_LANG_KO] > best[SE_LANG_EN]
        || (best[SE_LANG_KO] > 0 && best[SE_LANG_KO] == best[SE_LANG_EN]
            && pos[SE_LANG_KO] < pos[SE_LANG_EN]))
    {
        return SE_LANG_KO;
    }

    return SE_LANG_EN;
}


const se_lang_labels_t *
se_lang_labels(se_lang_e lang)
{
    return &se_lang_table[lang < SE_LANG_N ? lang : SE_LANG_EN];
}


const se_str_t *
se_lang_i18n(const se_str_t *base, const se_i18n_t *list, se_lang_e lang)
{
    const se_i18n_t  *t;

    if (lang != SE_LANG_EN) {
        t = se_i18n_find(list, se_lang_name(lang), 2);
        if (t && t->text.len) {
            return &t->text;
        }
    }

    return base;
}
