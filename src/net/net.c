/* Connections through libcurl. */
#include "config.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "net/net.h"

const char *
net_library_version(void)
{
	static char text[128];
	curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);

	snprintf(text, sizeof(text), "libcurl %s (%s)", info->version,
	    info->ssl_version != NULL ? info->ssl_version : "no TLS");
	return text;
}

static void
net_global_init_once(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		abort();	/* out of memory, or no TLS library: nothing works */
}

void
net_global_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	/* pthread_once keeps a late call from another thread safe too. */
	if (pthread_once(&once, net_global_init_once) != 0)
		abort();
}
