/* Connections through libcurl. */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>

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
